using System.Reflection;
using TorchSharp;

namespace UploadGuard.ProtectionEngine.Tests.Build;

/// <summary>The build-time fix that lets TorchSharp load where libstdc++ predates GLIBCXX_3.4.32 (Debian 12).</summary>
public sealed class LibstdcxxVersionNeedsTests
{
    private const string Anchor = "GLIBCXX_3.4.32";

    [Fact]
    public void TorchSharp_loads_and_computes_in_this_test_process()
    {
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = a.matmul(a.t());
        Assert.Equal(new[] { 5f, 14f, 14f, 50f }, b.data<float>().ToArray());
    }

    [Fact]
    public void Copied_library_is_weakened_exactly_when_the_system_lacks_the_version()
    {
        string copied = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).Single();
        var need = LibstdcxxVersionNeeds.VersionNeeds(File.ReadAllBytes(copied)).Single(n => n.Version == Anchor);
        string system = LibstdcxxVersionNeeds.FindSystemLibstdcxx() ?? throw new InvalidOperationException("no system libstdc++");
        bool systemHasIt = LibstdcxxVersionNeeds.DefinedVersions(File.ReadAllBytes(system)).Contains(Anchor);

        Assert.Equal(!systemHasIt, (need.Flags & 2) != 0);
    }

    [Fact]
    public void Weakening_touches_only_the_missing_version_and_is_idempotent()
    {
        string work = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(PackageCacheLibrary(), work);
        try
        {
            var before = LibstdcxxVersionNeeds.VersionNeeds(File.ReadAllBytes(work));
            Assert.Equal(0, before.Single(n => n.Version == Anchor).Flags & 2);

            var definedWithout = new HashSet<string> { "GLIBCXX_3.4", "GLIBCXX_3.4.30" };
            Assert.Equal([Anchor], LibstdcxxVersionNeeds.WeakenMissing(work, [Anchor], definedWithout));

            var after = LibstdcxxVersionNeeds.VersionNeeds(File.ReadAllBytes(work));
            Assert.Equal(2, after.Single(n => n.Version == Anchor).Flags & 2);
            Assert.All(after.Where(n => n.Version != Anchor), n => Assert.Contains(before, b => b.Version == n.Version && b.Flags == n.Flags));
            Assert.Empty(LibstdcxxVersionNeeds.WeakenMissing(work, [Anchor], definedWithout));
        }
        finally
        {
            File.Delete(work);
        }
    }

    [Fact]
    public void Nothing_changes_where_the_system_defines_the_version()
    {
        string work = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(PackageCacheLibrary(), work);
        try
        {
            var bytes = File.ReadAllBytes(work);
            Assert.Empty(LibstdcxxVersionNeeds.WeakenMissing(work, [Anchor], new HashSet<string> { Anchor }));
            Assert.Equal(bytes, File.ReadAllBytes(work));
        }
        finally
        {
            File.Delete(work);
        }
    }

    [Fact]
    public void Package_cache_copy_is_never_modified()
    {
        var need = LibstdcxxVersionNeeds.VersionNeeds(File.ReadAllBytes(PackageCacheLibrary())).Single(n => n.Version == Anchor);
        Assert.Equal(0, need.Flags & 2);
    }

    private static string PackageCacheLibrary()
    {
        string root = typeof(LibstdcxxVersionNeedsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NuGetPackageRoot").Value!;
        string version = typeof(torch).Assembly.GetName().Version!.ToString(3);
        return Path.Combine(root, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }
}
