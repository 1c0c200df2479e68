using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Tasks.Redis;

/// <summary>Registers the Redis backend with <c>services.AddTasks(tasks =&gt; ...)</c>.</summary>
public static class RedisTasksBuilderExtensions
{
    /// <summary>
    /// Adds a Redis backend under <paramref name="alias"/>, configured in code. Without a connection string, configuration
    /// options or factory, it uses the <see cref="IConnectionMultiplexer"/> registered in the container, if any.
    /// </summary>
    public static TasksBuilder AddRedisBackend(this TasksBuilder tasks, string alias, Action<RedisTaskBackendOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RedisTaskBackendOptions();
        configure(options);
        return tasks.AddBackend(alias, (sp, a) => Create(sp, a, options.Clone()));
    }

    /// <summary>
    /// Lets configuration create Redis backends: <c>Tasks:Backends:&lt;alias&gt;:Type = "Redis"</c>, with the
    /// <see cref="RedisTaskBackendOptions"/> properties in the same section (e.g. <c>ConnectionString</c>, <c>Prefix</c>,
    /// <c>VisibilityTimeout = "00:00:30"</c>).
    /// </summary>
    public static TasksBuilder AddRedisBackendType(this TasksBuilder tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return tasks.AddBackendType(RedisTaskBackend.TypeName, (sp, alias, section) =>
        {
            var options = new RedisTaskBackendOptions();
            try
            {
                section.Bind(options);
            }
            catch (InvalidOperationException ex)
            {
                throw new TaskConfigurationException($"Backend '{alias}' (Redis) in configuration ({section.Path}) has an invalid setting: {ex.Message}", ex);
            }

            return Create(sp, alias, options);
        });
    }

    private static RedisTaskBackend Create(IServiceProvider services, string alias, RedisTaskBackendOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString) && !string.IsNullOrWhiteSpace(options.ConnectionStringName))
        {
            options.ConnectionString = services.GetService<IConfiguration>()?.GetConnectionString(options.ConnectionStringName)
                ?? throw new TaskConfigurationException($"Backend '{alias}': ConnectionStringName '{options.ConnectionStringName}' names no entry in ConnectionStrings.");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString) && options.ConfigurationOptions is null && options.ConnectionMultiplexerFactory is null &&
            services.GetService<IConnectionMultiplexer>() is { } shared)
        {
            options.ConnectionMultiplexerFactory = () => Task.FromResult(shared);
        }

        return new RedisTaskBackend(alias, options, services.GetService<ILoggerFactory>(), services.GetService<TimeProvider>());
    }
}
