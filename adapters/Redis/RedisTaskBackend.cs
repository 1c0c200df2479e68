using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Tasks.Execution;
using Tasks.Redis.Internal;
using Tasks.Workers;

namespace Tasks.Redis;

/// <summary>
/// A fast, reliable task queue on plain Redis: per-queue sorted sets ordered by priority then enqueue order, a delayed
/// set per queue promoted by the workers' take script, in-flight leases with heartbeats so tasks of a killed worker are
/// put back after <see cref="RedisTaskBackendOptions.VisibilityTimeout"/>, results in Redis that expire after
/// <see cref="RedisTaskBackendOptions.ResultRetention"/>, and pub/sub wake-ups so idle workers start new work at once.
/// </summary>
public sealed class RedisTaskBackend : TaskBackendBase, ITaskWorkerFactory, IPendingTaskBackend, IAsyncDisposable
{
    /// <summary>The type name used in configuration (<c>Tasks:Backends:&lt;alias&gt;:Type</c>).</summary>
    public const string TypeName = "Redis";

    private readonly RedisQueueClient _client;

    /// <summary>Creates the backend; it connects on first use.</summary>
    /// <param name="alias">The alias it is configured under.</param>
    /// <param name="options">Connection, prefix and timings (copied).</param>
    /// <param name="loggerFactory">Where the adapter logs; never connection strings or passwords.</param>
    /// <param name="timeProvider">The clock for timestamps in results.</param>
    /// <exception cref="TaskConfigurationException">The options are incomplete or invalid.</exception>
    public RedisTaskBackend(string alias, RedisTaskBackendOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(alias, CreateClient(alias, options, loggerFactory, timeProvider ?? TimeProvider.System), timeProvider)
    {
    }

    private RedisTaskBackend(string alias, RedisQueueClient client, TimeProvider? timeProvider)
        : base(alias, new RedisTaskResultStore(client), timeProvider)
    {
        _client = client;
    }

    /// <inheritdoc />
    public override TaskBackendCapabilities Capabilities =>
        TaskBackendCapabilities.Defer | TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results |
        TaskBackendCapabilities.Cancel | TaskBackendCapabilities.BulkEnqueue | TaskBackendCapabilities.Background |
        TaskBackendCapabilities.ListPending;

    /// <summary>The key prefix in use.</summary>
    public string Prefix => _client.Prefix;

    /// <summary>The options in force (a copy), for tests of configuration binding.</summary>
    internal RedisTaskBackendOptions Options => _client.Options;

    /// <summary>The dead-letter list's key (<c>&lt;prefix&gt;:dead</c>).</summary>
    public string DeadLetterKey => _client.DeadLetterKey;

    /// <inheritdoc />
    public override async Task<IReadOnlyList<TaskResult>> EnqueueManyAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        foreach (var e in envelopes)
        {
            TaskValidation.Validate(e, this);
        }

        if (envelopes.Count == 0)
        {
            return [];
        }

        // One script writes the task and queues it; its Ready result is derived from the stored envelope (the same value
        // as returned here) until a worker or a cancel first updates it, so a worker never sees a task without its result.
        await _client.EnqueueAsync(envelopes, newTasks: true, cancellationToken).ConfigureAwait(false);
        var results = new TaskResult[envelopes.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = TaskResult.ForEnqueued(envelopes[i], Alias);
        }

        return results;
    }

    /// <inheritdoc />
    public override Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default) =>
        envelopes.Count == 0 ? Task.CompletedTask : _client.EnqueueAsync(envelopes, newTasks: false, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<TaskEnvelope> ListPendingAsync(string? queue = null, CancellationToken cancellationToken = default)
    {
        if (queue is not null)
        {
            TaskValidation.ValidateQueueName(queue, Alias);
        }

        return _client.ListPendingAsync(queue, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemovePendingAsync(string id, CancellationToken cancellationToken = default) =>
        Guid.TryParse(id, out _) ? _client.RemovePendingAsync(id, cancellationToken) : Task.FromResult(false);

    /// <inheritdoc />
    public ITaskWorker CreateWorker(TaskWorkerOptions options, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        foreach (var q in options.Queues)
        {
            TaskValidation.ValidateQueueName(q, Alias);
        }

        var queues = options.Queues.Count > 0 ? options.Queues.ToArray() : [TaskOptions.DefaultQueue];
        var executor = services.GetRequiredService<TaskExecutor>();
        var logger = services.GetService<ILogger<PullTaskWorker>>() ?? NullLogger<PullTaskWorker>.Instance;
        var workerId = options.WorkerId ?? WorkerIds.Create();
        var receiver = new RedisTaskReceiver(_client, queues, workerId, _client.Options.PrefetchCount ?? options.Concurrency);
        var context = new TaskExecutionContext(Alias, workerId, receiver.Results);
        return new PullTaskWorker(receiver, executor, context, options, logger, Time);
    }

    /// <summary>The newest entries of the dead-letter list: tasks whose stored envelope could not be read.</summary>
    /// <param name="count">How many, newest first.</param>
    /// <param name="cancellationToken">Cancels the wait for a connection.</param>
    /// <exception cref="TaskBackendUnavailableException">Redis cannot be reached.</exception>
    public Task<IReadOnlyList<RedisDeadLetter>> GetDeadLettersAsync(int count = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return _client.ReadDeadLettersAsync(count, cancellationToken);
    }

    /// <summary>Stops wake-ups and closes the connection (unless it was supplied by the application).</summary>
    public ValueTask DisposeAsync() => _client.DisposeAsync();

    /// <summary>The StackExchange.Redis options the backend connects with (for tests of option mapping).</summary>
    internal static ConfigurationOptions BuildConfiguration(string alias, RedisTaskBackendOptions options)
    {
        ConfigurationOptions configuration;
        if (options.ConfigurationOptions is { } given)
        {
            configuration = given.Clone();
        }
        else if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                configuration = ConfigurationOptions.Parse(options.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                // Say which setting is wrong without echoing the string, which may hold a password.
                throw new TaskConfigurationException($"Backend '{alias}': the Redis ConnectionString is not valid ({ex.GetType().Name}: {Redact(ex.Message, options)}).");
            }
        }
        else
        {
            throw new TaskConfigurationException($"Backend '{alias}' (Redis) has no ConnectionString, ConfigurationOptions or ConnectionMultiplexerFactory; set one, e.g. \"ConnectionString\": \"localhost:6379\".");
        }

        if (configuration.EndPoints.Count == 0)
        {
            throw new TaskConfigurationException($"Backend '{alias}': the Redis connection settings name no server endpoint.");
        }

        configuration.SocketManager ??= SocketManager.ThreadPool;
        if (options.User is not null)
        {
            configuration.User = options.User;
        }

        if (options.Password is not null)
        {
            configuration.Password = options.Password;
        }

        if (options.UseTls is { } tls)
        {
            configuration.Ssl = tls;
        }

        if (options.TlsHost is not null)
        {
            configuration.SslHost = options.TlsHost;
        }

        configuration.ClientName ??= $"tasks-{alias}";
        return configuration;
    }

    private static string Redact(string text, RedisTaskBackendOptions options)
    {
        var secret = options.Password ?? PasswordIn(options.ConnectionString);
        return string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "***", StringComparison.Ordinal);
    }

    private static string? PasswordIn(string? connectionString) =>
        connectionString?.Split(',').Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("password=", StringComparison.OrdinalIgnoreCase))?["password=".Length..];

    private static RedisQueueClient CreateClient(string alias, RedisTaskBackendOptions options, ILoggerFactory? loggerFactory, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(alias);
        ArgumentNullException.ThrowIfNull(options);
        options = options.Clone();
        Validate(alias, options);
        var logger = (ILogger?)loggerFactory?.CreateLogger<RedisTaskBackend>() ?? NullLogger<RedisTaskBackend>.Instance;
        var configuration = options.ConnectionMultiplexerFactory is null ? BuildConfiguration(alias, options) : null;
        var connection = new RedisConnection(alias, configuration, options.ConnectionMultiplexerFactory, options.Database, logger);
        return new RedisQueueClient(alias, options, connection, logger, time);
    }

    private static void Validate(string alias, RedisTaskBackendOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Prefix) || options.Prefix.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new TaskConfigurationException($"Backend '{alias}': Redis Prefix '{options.Prefix}' is invalid; use a non-empty name without spaces, e.g. 'myapp'.");
        }

        if (options.VisibilityTimeout < TimeSpan.FromSeconds(1))
        {
            throw new TaskConfigurationException($"Backend '{alias}': VisibilityTimeout {options.VisibilityTimeout} is too short; use at least 1 second.");
        }

        var heartbeat = options.EffectiveHeartbeatInterval;
        if (heartbeat <= TimeSpan.Zero || heartbeat >= options.VisibilityTimeout)
        {
            throw new TaskConfigurationException($"Backend '{alias}': HeartbeatInterval {heartbeat} must be positive and shorter than VisibilityTimeout {options.VisibilityTimeout}.");
        }

        if (options.ResultRetention <= TimeSpan.Zero)
        {
            throw new TaskConfigurationException($"Backend '{alias}': ResultRetention {options.ResultRetention} must be positive.");
        }

        if (options.IdlePollInterval <= TimeSpan.Zero)
        {
            throw new TaskConfigurationException($"Backend '{alias}': IdlePollInterval {options.IdlePollInterval} must be positive.");
        }

        if (options.PrefetchCount < 0)
        {
            throw new TaskConfigurationException($"Backend '{alias}': PrefetchCount {options.PrefetchCount} must not be negative (0 takes only for free slots).");
        }

        if (options.RunningStatusDelay < TimeSpan.Zero)
        {
            throw new TaskConfigurationException($"Backend '{alias}': RunningStatusDelay {options.RunningStatusDelay} must not be negative (0 marks tasks Running as they start).");
        }

        if (options.DeadLetterMaxLength < 1 || options.EnqueueBatchSize < 1)
        {
            throw new TaskConfigurationException($"Backend '{alias}': DeadLetterMaxLength and EnqueueBatchSize must be at least 1.");
        }
    }
}
