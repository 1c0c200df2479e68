using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tasks.Hangfire;

/// <summary>Registers Hangfire backends in <c>services.AddTasks(tasks =&gt; ...)</c>.</summary>
public static class HangfireTasksBuilderExtensions
{
    /// <summary>A Hangfire backend configured in code under <paramref name="alias"/>.</summary>
    /// <example><code>tasks.AddHangfireBackend("main", o => { o.ConnectionString = "Host=...;Database=app"; o.Schema = "hangfire"; });</code></example>
    public static TasksBuilder AddHangfireBackend(this TasksBuilder tasks, string alias, Action<HangfireTaskBackendOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(configure);
        return tasks.AddBackend(alias, (sp, a) =>
        {
            var options = new HangfireTaskBackendOptions();
            configure(options);
            return Create(sp, a, options);
        });
    }

    /// <summary>
    /// Lets configuration create Hangfire backends: <c>Tasks:Backends:&lt;alias&gt;:Type = "Hangfire"</c>, with
    /// <see cref="HangfireTaskBackendOptions"/> properties (<c>Storage</c>, <c>ConnectionString</c>, <c>Schema</c>,
    /// <c>QueuePrefix</c>, <c>QueuePollInterval</c>, <c>InvisibilityTimeout</c>, <c>SchedulePollingInterval</c>,
    /// <c>ResultExpiration</c>, <c>RunningStatusDelay</c>, <c>WorkerCount</c>, <c>EnableLongPolling</c>, <c>CaptureCulture</c>) in
    /// the same section.
    /// </summary>
    public static TasksBuilder AddHangfireBackendType(this TasksBuilder tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return tasks.AddBackendType(HangfireTaskBackend.TypeName, (sp, alias, section) => Create(sp, alias, Bind(section)));
    }

    /// <summary>Reads options from a backend's configuration section.</summary>
    /// <exception cref="TaskConfigurationException">A value has the wrong form.</exception>
    public static HangfireTaskBackendOptions Bind(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = new HangfireTaskBackendOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            var path = section is IConfigurationSection s ? s.Path : "(configuration)";
            throw new TaskConfigurationException($"The Hangfire backend settings in '{path}' are invalid: {ex.Message}", ex);
        }

        return options;
    }

    private static HangfireTaskBackend Create(IServiceProvider sp, string alias, HangfireTaskBackendOptions options) =>
        new(alias, options, sp.GetService<ILoggerFactory>(), sp.GetService<TimeProvider>());
}
