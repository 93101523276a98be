using Microsoft.Playwright;
using UploadGuard.Gateway.Tests.Support;
using UploadGuard.ProtectionEngine.Models;

namespace UploadGuard.Gateway.Tests.Admin;

/// <summary>The admin page in Debian's real Chromium, against a real gateway process.</summary>
public sealed class AdminPageTests
{
    private const string Chromium = "/usr/bin/chromium";

    [SkippableFact]
    public async Task Admin_page_switches_versions_and_starts_watches_and_cancels_training()
    {
        Skip.IfNot(File.Exists(Chromium), "Debian's chromium is not installed (scripts/setup.sh installs it): admin page test skipped.");
        var registry = Directory.CreateTempSubdirectory("uploadguard-page-registry-").FullName;
        var work = Directory.CreateTempSubdirectory("uploadguard-page-work-").FullName;
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        try
        {
            AdminFixture.CopyRegistryWithSecondVersion(registry);
            var archive = Path.Combine(work, "photos.tar.gz");
            await File.WriteAllBytesAsync(archive, TestArchives.TarGz(photos: 10, textFiles: 2));
            await using var gateway = await ChildProcess.StartAsync("UploadGuard.Gateway.dll", new Dictionary<string, string>
            {
                ["Admin__Tokens__0"] = AdminFixture.AdminToken,
                ["Admin__WorkPath"] = Path.Combine(work, "jobs"),
                ["Admin__RetrainWorker"] = AdminFixture.Worker,
                ["Engine__ModelsPath"] = registry,
                ["DemoUpstream__Enabled"] = "false",
            });

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            });
            var page = await browser.NewPageAsync();
            // The URL the README and docs/admin.md give: the folder, served by its default document.
            var opened = await page.GotoAsync(new Uri(gateway.Address, "/admin-ui/").ToString());
            Assert.Equal(200, opened!.Status);
            await Assertions.Expect(page.Locator("#token-help")).ToContainTextAsync("Admin__Tokens__0");
            var dialogs = new List<string>();
            bool acceptDialogs = false;
            page.Dialog += async (_, dialog) =>
            {
                dialogs.Add(dialog.Message);
                if (acceptDialogs) await dialog.AcceptAsync();
                else await dialog.DismissAsync();
            };

            // A wrong token is refused visibly.
            await page.FillAsync("#token", "wrong");
            await page.ClickAsync("#login button");
            await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("401");

            await page.FillAsync("#token", AdminFixture.AdminToken);
            await page.ClickAsync("#login button");
            await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("connected");
            var second = page.Locator($"tr[data-version='{AdminFixture.SecondVersion}']");
            // Every shipped version plus the second placeholder.
            await Assertions.Expect(page.Locator("#models tbody tr")).ToHaveCountAsync(new ModelRegistry(registry).List().Count);
            await Assertions.Expect(page.Locator("#models")).ToContainTextAsync("untrained model: no protection claimed");

            // Each row shows its card's verdict: the one measured claim with its budget, "none claimed" everywhere else.
            var cards = new ModelRegistry(registry).List();
            foreach (var card in cards)
            {
                var claim = page.Locator($"tr[data-version='{card.Version}'] td.claim");
                if (card.Trained && card.Claim is { } measured)
                    await Assertions.Expect(claim).ToContainTextAsync($"measured at epsilon {measured.Epsilon} or more");
                else
                    await Assertions.Expect(claim).ToHaveTextAsync("none claimed");
            }
            Assert.Contains(cards, c => c.Claim is not null);

            // Activating a model that claims nothing asks first, and says so; declining changes nothing.
            await second.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
            await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("was not activated");
            Assert.Contains("claims no protection", Assert.Single(dialogs));
            Assert.DoesNotContain(AdminFixture.SecondVersion, await File.ReadAllTextAsync(Path.Combine(registry, "registry.json")));
            acceptDialogs = true;
            await second.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
            await Assertions.Expect(second.Locator("td.active")).ToContainTextAsync("active");
            Assert.Equal(2, dialogs.Count);
            Assert.Contains(AdminFixture.SecondVersion, await File.ReadAllTextAsync(Path.Combine(registry, "registry.json")));

            await page.SetInputFilesAsync("#dataset", archive);
            await page.FillAsync("input[name=steps]", "100000");
            await page.FillAsync("input[name=batchSize]", "2");
            await page.FillAsync("input[name=imageSize]", "32");
            await page.FillAsync("input[name=proxySize]", "16");
            await page.ClickAsync("#retrain button[type=submit]");
            await Assertions.Expect(page.Locator("#job-state")).ToHaveTextAsync("running", new() { Timeout = 60_000 });
            await page.WaitForFunctionAsync("() => Number(document.getElementById('job-step').textContent) > 0", null, new() { Timeout = 60_000 });
            await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "admin-training.png"), FullPage = true });

            await page.ClickAsync("#cancel");
            await Assertions.Expect(page.Locator("#job-state")).ToHaveTextAsync("cancelled", new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator("#job-detail")).ToContainTextAsync("2 non-image files skipped");
            await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "admin-cancelled.png"), FullPage = true });
        }
        finally
        {
            Directory.Delete(registry, recursive: true);
            Directory.Delete(work, recursive: true);
        }
    }
}
