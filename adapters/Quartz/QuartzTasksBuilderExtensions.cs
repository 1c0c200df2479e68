using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tasks.Quartz;

/// <summary>Registers Quartz.NET backends with <c>services.AddTasks(tasks =&gt; ...)</c>.</summary>
public static class QuartzTasksBuilderExtensions
{
    /// <summary>A Quartz backend configured in code under <paramref name="alias"/>.</summary>
    /// <example><code>tasks.AddQuartzBackend("main", o =&gt; { o.JobStore = QuartzJobStoreKind.AdoNet; o.ConnectionString = "Host=db;Database=app"; });</code></example>
    public static TasksBuilder AddQuartzBackend(this TasksBuilder tasks, string alias, Action<QuartzTaskBackendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return tasks.AddBackend(alias, (sp, a) =>
        {
            var options = new QuartzTaskBackendOptions();
            configure?.Invoke(options);
            return Create(sp, a, options);
        });
    }

    /// <summary>
    /// Lets configuration create Quartz backends: <c>Tasks:Backends:&lt;alias&gt;:Type = "Quartz"</c>, with the
    /// <see cref="QuartzTaskBackendOptions"/> properties in the same section (<c>JobStore</c>, <c>ConnectionString</c>,
    /// <c>TablePrefix</c>, <c>Clustered</c>, <c>CheckinInterval</c>, <c>ThreadCount</c>, ...).
    /// </summary>
    public static TasksBuilder AddQuartzBackendType(this TasksBuilder tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return tasks.AddBackendType(QuartzTaskBackend.TypeName, (sp, alias, section) => Create(sp, alias, Bind(section)));
    }

    /// <summary>Reads <see cref="QuartzTaskBackendOptions"/> from a backend's configuration section.</summary>
    /// <exception cref="TaskConfigurationException">A value has the wrong form.</exception>
    public static QuartzTaskBackendOptions Bind(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = new QuartzTaskBackendOptions();
        try
        {
            section.Bind(options, b => b.ErrorOnUnknownConfiguration = false);
        }
        catch (InvalidOperationException ex)
        {
            var path = section is IConfigurationSection s ? s.Path : "(root)";
            throw new TaskConfigurationException($"Quartz backend configuration '{path}' is invalid: {ex.Message}", ex);
        }

        return options;
    }

    private static QuartzTaskBackend Create(IServiceProvider services, string alias, QuartzTaskBackendOptions options) =>
        new(alias, options, services.GetService<ILoggerFactory>(), services.GetService<TimeProvider>());
}
