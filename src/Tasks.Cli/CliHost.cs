using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tasks.Cli;

/// <summary>Builds the same task configuration the application uses: <c>appsettings.json</c> (or <c>--config</c>) plus environment variables.</summary>
internal static class CliHost
{
    public static ServiceProvider Build(string? configPath, TextWriter errors)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile(configPath ?? "appsettings.json", optional: configPath is null)
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        services.AddTasks(tasks => tasks.AddKnownBackendTypes().UseConfiguration(configuration.GetSection("Tasks")));
        if (!configuration.GetSection("Tasks:Backends").GetChildren().Any())
        {
            errors.WriteLine("warning: no backends under Tasks:Backends in the configuration; only the in-process default exists.");
        }

        return services.BuildServiceProvider();
    }
}
