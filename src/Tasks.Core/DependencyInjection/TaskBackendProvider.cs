using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tasks.Backends;

namespace Tasks;

/// <summary>Creates backends from code registrations and configuration; configuration wins for the same alias, so switching engine is a config change.</summary>
internal sealed class TaskBackendProvider : ITaskBackendProvider, IAsyncDisposable
{
    private readonly IServiceProvider _services;
    private readonly TaskRegistry _registry;
    private readonly Dictionary<string, Func<ITaskBackend>> _factories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<ITaskBackend>> _created = new(StringComparer.Ordinal);

    public TaskBackendProvider(IServiceProvider services, TasksSettings settings, IEnumerable<TaskBackendRegistration> registrations, IEnumerable<TaskBackendTypeRegistration> types, TaskRegistry registry)
    {
        _services = services;
        _registry = registry;
        foreach (var r in registrations)
        {
            _factories[r.Alias] = () => r.Factory(services, r.Alias);
        }

        var section = TasksConfiguration.Section(settings, services);
        var typeMap = types.GroupBy(t => t.TypeName, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);
        foreach (var backend in section?.GetSection("Backends").GetChildren() ?? [])
        {
            var alias = backend.Key;
            var typeName = backend["Type"] ?? throw new TaskConfigurationException($"Backend '{alias}' in configuration ({backend.Path}) has no Type. Known types: {string.Join(", ", typeMap.Keys)}.");
            if (!typeMap.TryGetValue(typeName, out var type))
            {
                throw new TaskConfigurationException($"Backend '{alias}' in configuration has Type '{typeName}', which no package registered. Known types: {string.Join(", ", typeMap.Keys)}. Add the adapter package and its registration (e.g. tasks.AddRedisBackendType()).");
            }

            _factories[alias] = () => type.Factory(services, alias, backend);
        }

        var configuredDefault = section is null ? null : ConfigurationValues.GetString(section, "DefaultBackend");
        DefaultAlias = configuredDefault ?? settings.DefaultBackend ?? (_factories.Count == 1 ? _factories.Keys.First() : "default");
        if (_factories.Count == 0)
        {
            // Nothing configured: the embedded default, so a quick start needs no configuration at all.
            _factories[DefaultAlias] = () => new InMemoryTaskBackend(DefaultAlias, services.GetService<TimeProvider>());
        }

        if (!_factories.ContainsKey(DefaultAlias))
        {
            throw new TaskConfigurationException($"The default task backend '{DefaultAlias}' is not configured. Configured backends: {string.Join(", ", _factories.Keys.Select(k => $"'{k}'"))}. Set Tasks:DefaultBackend or call UseDefaultBackend(alias).");
        }

        Aliases = _factories.Keys.ToArray();
    }

    public string DefaultAlias { get; }

    public IReadOnlyCollection<string> Aliases { get; }

    public ITaskBackend Get(string? alias = null)
    {
        alias ??= DefaultAlias;
        if (!_factories.TryGetValue(alias, out var factory))
        {
            throw new UnknownBackendException(alias, Aliases);
        }

        return _created.GetOrAdd(alias, _ => new Lazy<ITaskBackend>(factory)).Value;
    }

    public ITaskWorker CreateWorker(TaskWorkerOptions options)
    {
        options = options.Clone();
        var backend = Get(options.Backend);
        if (backend is not ITaskWorkerFactory factory)
        {
            throw new TaskNotSupportedException(backend.Alias, "workers in this process", TaskBackendCapabilities.Background);
        }

        if (options.Queues.Count == 0)
        {
            options.Queues = _registry.All.Select(d => d.Queue).Append(TaskOptions.DefaultQueue).Distinct(StringComparer.Ordinal).ToList();
        }

        foreach (var q in options.Queues)
        {
            TaskValidation.ValidateQueueName(q, backend.Alias);
        }

        options.Backend = backend.Alias;
        return factory.CreateWorker(options, _services);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lazy in _created.Values.Where(l => l.IsValueCreated))
        {
            switch (lazy.Value)
            {
                case IAsyncDisposable a:
                    await a.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable d:
                    d.Dispose();
                    break;
            }
        }
    }
}
