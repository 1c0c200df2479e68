using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tasks.MassTransit;

/// <summary>Registers <see cref="MassTransitTaskBackend"/> in code or for configuration.</summary>
public static class MassTransitTasksBuilderExtensions
{
    /// <summary>Adds a MassTransit backend under <paramref name="alias"/>, configured in code.</summary>
    /// <example><code>tasks.AddMassTransitBackend("main", o =&gt; { o.ConnectionString = "amqp://guest:guest@localhost:5672/"; o.ResultsConnectionString = "Host=localhost;Database=app"; });</code></example>
    public static TasksBuilder AddMassTransitBackend(this TasksBuilder tasks, string alias, Action<MassTransitTaskBackendOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(configure);
        return tasks.AddBackend(alias, (sp, a) =>
        {
            var options = new MassTransitTaskBackendOptions();
            configure(options);
            return Create(sp, a, options);
        });
    }

    /// <summary>
    /// Lets configuration create MassTransit backends: <c>Tasks:Backends:&lt;alias&gt;:Type</c> = <c>MassTransit</c>, with the
    /// <see cref="MassTransitTaskBackendOptions"/> properties in the same section (e.g. <c>Transport</c>, <c>ConnectionString</c>,
    /// <c>Results</c>, <c>ResultsConnectionString</c>, <c>QueuePrefix</c>).
    /// </summary>
    public static TasksBuilder AddMassTransitBackendType(this TasksBuilder tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return tasks.AddBackendType(MassTransitTaskBackend.TypeName, (sp, alias, section) => Create(sp, alias, Bind(section, alias)));
    }

    /// <summary>Reads options from a configuration section (unknown keys such as <c>Type</c> are ignored).</summary>
    /// <exception cref="TaskConfigurationException">A value cannot be read (e.g. an unknown Transport).</exception>
    public static MassTransitTaskBackendOptions Bind(IConfiguration section, string alias)
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = new MassTransitTaskBackendOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            var path = section is IConfigurationSection s ? s.Path : alias;
            throw new TaskConfigurationException($"Backend '{alias}': the configuration at '{path}' cannot be read: {ex.Message}", ex);
        }

        return options;
    }

    private static MassTransitTaskBackend Create(IServiceProvider services, string alias, MassTransitTaskBackendOptions options) =>
        new(alias, options, services.GetService<ILoggerFactory>(), services.GetService<TimeProvider>());
}
