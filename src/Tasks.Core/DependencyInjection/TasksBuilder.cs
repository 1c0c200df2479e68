using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tasks.Backends;
using Tasks.Execution;

namespace Tasks;

/// <summary>The fluent builder of <c>services.AddTasks(tasks =&gt; ...)</c>: tasks, backends, workers, observers and serializer.</summary>
public sealed class TasksBuilder
{
    /// <summary>The longest timeout a timer can hold (about 49.7 days).</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    internal TasksBuilder(IServiceCollection services, TasksSettings settings)
    {
        Services = services;
        Settings = settings;
    }

    /// <summary>The service collection, for adapters' extension methods.</summary>
    public IServiceCollection Services { get; }

    internal TasksSettings Settings { get; }

    /// <summary>Registers a task without a return value.</summary>
    /// <param name="name">Stable task name; queued work refers to it, so keep it when types are renamed.</param>
    /// <param name="configure">Default queue, priority, backend, attempts, backoff and timeout.</param>
    public TasksBuilder AddTask<TArgs, THandler>(string name, Action<TaskOptions>? configure = null)
        where THandler : class, ITaskHandler<TArgs> =>
        Add<THandler>(name, typeof(TArgs), null, new HandlerInvoker<TArgs, THandler>(), configure);

    /// <summary>Registers a task that returns <typeparamref name="TResult"/>.</summary>
    /// <param name="name">Stable task name.</param>
    /// <param name="configure">Default queue, priority, backend, attempts, backoff and timeout.</param>
    public TasksBuilder AddTask<TArgs, TResult, THandler>(string name, Action<TaskOptions>? configure = null)
        where THandler : class, ITaskHandler<TArgs, TResult> =>
        Add<THandler>(name, typeof(TArgs), typeof(TResult), new HandlerInvoker<TArgs, TResult, THandler>(), configure);

    /// <summary>Configures a backend in code under <paramref name="alias"/>; configuration with the same alias replaces it.</summary>
    public TasksBuilder AddBackend(string alias, Func<IServiceProvider, string, ITaskBackend> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(alias);
        Services.AddSingleton(new TaskBackendRegistration(alias, factory));
        return this;
    }

    /// <summary>Lets configuration create backends of <paramref name="typeName"/> (<c>Tasks:Backends:&lt;alias&gt;:Type</c>); the factory gets the alias's section.</summary>
    public TasksBuilder AddBackendType(string typeName, Func<IServiceProvider, string, IConfigurationSection, ITaskBackend> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeName);
        Services.AddSingleton(new TaskBackendTypeRegistration(typeName, factory));
        return this;
    }

    /// <summary>The in-process background backend under <paramref name="alias"/>.</summary>
    public TasksBuilder AddInMemoryBackend(string alias = "default") =>
        AddBackend(alias, (sp, a) => new InMemoryTaskBackend(a, sp.GetService<TimeProvider>()));

    /// <summary>The inline backend under <paramref name="alias"/>.</summary>
    public TasksBuilder AddImmediateBackend(string alias = "default") =>
        AddBackend(alias, (sp, a) => new ImmediateTaskBackend(a, sp, sp.GetService<TimeProvider>()));

    /// <summary>The recording (never runs) backend under <paramref name="alias"/>, for tests.</summary>
    public TasksBuilder AddRecordingBackend(string alias = "default") =>
        AddBackend(alias, (sp, a) => new RecordingTaskBackend(a, sp.GetService<TimeProvider>()));

    /// <summary>The alias used when neither a task nor its enqueue names one (configuration's <c>Tasks:DefaultBackend</c> wins).</summary>
    public TasksBuilder UseDefaultBackend(string alias)
    {
        Settings.DefaultBackend = alias;
        return this;
    }

    /// <summary>Replaces the JSON serializer of arguments and return values.</summary>
    public TasksBuilder UseSerializer(ITaskSerializer serializer)
    {
        Settings.Serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        return this;
    }

    /// <summary>Reads backends and workers from <paramref name="section"/> instead of the host's <c>Tasks</c> section.</summary>
    public TasksBuilder UseConfiguration(IConfiguration section)
    {
        Settings.Configuration = section;
        return this;
    }

    /// <summary>Whether enqueue checks that arguments read back (default on; turn off only for proven types on hot paths).</summary>
    public TasksBuilder VerifyArgumentsRoundTrip(bool enabled)
    {
        Settings.VerifyRoundTrip = enabled;
        return this;
    }

    /// <summary>Runs a worker in this process while the host runs.</summary>
    public TasksBuilder AddWorker(Action<TaskWorkerOptions>? configure = null)
    {
        var options = new TaskWorkerOptions();
        configure?.Invoke(options);
        Services.AddSingleton(new TaskWorkerRegistration(options));
        return this;
    }

    /// <summary>Adds a completion hook, resolved as a singleton.</summary>
    public TasksBuilder AddObserver<TObserver>()
        where TObserver : class, ITaskObserver
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskObserver, TObserver>());
        return this;
    }

    private TasksBuilder Add<THandler>(string name, Type argumentsType, Type? resultType, TaskInvoker invoker, Action<TaskOptions>? configure)
        where THandler : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new TaskOptions();
        configure?.Invoke(options);
        TaskValidation.ValidateQueueName(options.Queue);
        if (!TaskPriority.IsValid(options.Priority))
        {
            throw new InvalidTaskException($"Task '{name}': priority {options.Priority} is out of range {TaskPriority.Min}..{TaskPriority.Max}.", "Priority");
        }

        if (options.MaxAttempts < 1)
        {
            throw new InvalidTaskException($"Task '{name}': MaxAttempts must be at least 1.", "MaxAttempts");
        }

        if (options.Timeout is { } t && (t <= TimeSpan.Zero || t > MaxTimeout))
        {
            throw new InvalidTaskException($"Task '{name}': Timeout must be positive and at most {MaxTimeout} (null means no limit).", "Timeout");
        }

        Services.AddSingleton(new TaskDefinition(name, argumentsType, resultType, typeof(THandler), options, invoker));
        Services.TryAddTransient<THandler>();
        return this;
    }
}
