using System.Globalization;
using System.Text.RegularExpressions;
using UploadGuard.Gateway.Admin;
using UploadGuard.ProtectionEngine.Training;

namespace UploadGuard.Gateway.Tests.Admin;

/// <summary>Retraining from the admin API or its page means what <c>uploadguard train</c> means with the same fields left out.</summary>
public sealed class RetrainDefaultsTests
{
    [Fact]
    public void The_admin_API_defaults_are_the_CLIs()
    {
        var cli = new GeneratorTrainingOptions { DataSource = "", ModelsPath = "" };
        var api = new RetrainRequest();
        Assert.Equal(cli.Steps, api.Steps);
        Assert.Equal(cli.BatchSize, api.BatchSize);
        Assert.Equal(cli.ImageSize, api.ImageSize);
        Assert.Equal(cli.ProxySize, api.ProxySize);
        Assert.Equal(cli.LearningRate, api.LearningRate);
        Assert.Equal(cli.PseudoOwners, api.PseudoOwners);
        Assert.Equal(cli.EpisodeSteps, api.EpisodeSteps);
        Assert.Equal(cli.ProxyLearningRate, api.ProxyLearningRate);
        Assert.Equal(cli.GrayProbability, api.Gray);
        Assert.Equal(cli.Epsilon, api.Epsilon);
        Assert.Equal(cli.Seed, api.Seed);
        Assert.Equal(cli.Architecture, ProtectionEngine.Models.GeneratorArchitecture.FromTrainableName(api.Architecture));
    }

    [Fact]
    public void The_admin_page_form_starts_from_the_same_defaults()
    {
        var html = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "wwwroot", "admin-ui", "index.html"));
        string Value(string name) => Regex.Match(html, $"name=\"{name}\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        var api = new RetrainRequest();
        Assert.Equal(api.Steps.ToString(CultureInfo.InvariantCulture), Value("steps"));
        Assert.Equal(api.BatchSize.ToString(CultureInfo.InvariantCulture), Value("batchSize"));
        Assert.Equal(api.ImageSize.ToString(CultureInfo.InvariantCulture), Value("imageSize"));
        Assert.Equal(api.ProxySize.ToString(CultureInfo.InvariantCulture), Value("proxySize"));
        Assert.Equal(api.LearningRate, double.Parse(Value("learningRate"), CultureInfo.InvariantCulture));
        Assert.Equal(api.PseudoOwners.ToString(CultureInfo.InvariantCulture), Value("pseudoOwners"));
        Assert.Equal(api.EpisodeSteps.ToString(CultureInfo.InvariantCulture), Value("episodeSteps"));
        Assert.Equal(api.ProxyLearningRate, double.Parse(Value("proxyLearningRate"), CultureInfo.InvariantCulture));
        Assert.Equal(api.Gray, double.Parse(Value("gray"), CultureInfo.InvariantCulture));
        Assert.Equal(api.Epsilon.ToString(CultureInfo.InvariantCulture), Value("epsilon"));
        // A select starts on its first option.
        Assert.Equal(api.Architecture, Regex.Match(html, "<select name=\"architecture\"><option>([^<]+)</option>").Groups[1].Value);
    }
}
