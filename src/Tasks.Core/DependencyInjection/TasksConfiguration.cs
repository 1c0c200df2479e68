using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Tasks;

/// <summary>Finds the <c>Tasks</c> configuration section: the one given to the builder, else the host's <c>Tasks</c> section.</summary>
internal static class TasksConfiguration
{
    public const string SectionName = "Tasks";

    public static IConfiguration? Section(TasksSettings settings, IServiceProvider services) =>
        settings.Configuration ?? services.GetService<IConfiguration>()?.GetSection(SectionName);
}
