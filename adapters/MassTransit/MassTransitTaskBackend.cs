using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tasks.Backends;
using Tasks.MassTransit.InMemory;
using Tasks.MassTransit.RabbitMq;
using Tasks.PostgreSql;

namespace Tasks.MassTransit;

/// <summary>
/// Tasks over MassTransit: each task is a <see cref="TaskEnvelopeMessage"/> sent to the receive endpoint of its queue; workers
/// consume their chosen queues only and run tasks through the shared pipeline. On RabbitMQ, queues are priority queues,
/// run-after uses a dead-letter delay topology (no plugin), messages are persistent and publisher-confirmed, and results live
/// in PostgreSQL. The backend runs its own MassTransit buses, so an application's own MassTransit configuration is untouched.
/// Pending tasks are listed from the result store (the broker cannot list messages without taking them).
/// </summary>
public sealed class MassTransitTaskBackend : TaskBackendBase, ITaskWorkerFactory, IPendingTaskBackend, IAsyncDisposable
{
    /// <summary>The type name used in configuration (<c>Tasks:Backends:&lt;alias&gt;:Type</c>).</summary>
    public const string TypeName = "MassTransit";

    private readonly ITaskTransport _transport;
    private readonly IAsyncDisposable? _ownedResults;
    private readonly MassTransitPendingTasks _pending;
    private int _disposed;

    /// <summary>Creates the backend; nothing connects until the first enqueue or worker.</summary>
    /// <exception cref="TaskConfigurationException">The options are incomplete or contradictory.</exception>
    public MassTransitTaskBackend(string alias, MassTransitTaskBackendOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(alias, timeProvider ?? TimeProvider.System, Validate(alias, options), loggerFactory ?? NullLoggerFactory.Instance)
    {
    }

    private MassTransitTaskBackend(string alias, TimeProvider time, MassTransitTaskBackendOptions options, ILoggerFactory loggers)
        : base(alias, CreateResults(options), time)
    {
        Options = options;
        _ownedResults = options.ResultStore is null ? Results as IAsyncDisposable : null;
        _transport = options.Transport == MassTransitTransport.RabbitMq
            ? new RabbitMqTaskTransport(alias, options, time, loggers)
            : new InMemoryTaskTransport(options.InMemoryTransport ?? new MassTransitInMemoryTransport(), options.InMemoryTransport is null, options.QueuePrefix, time);
        _pending = new MassTransitPendingTasks(this, time);
    }

    /// <inheritdoc />
    /// <remarks><see cref="TaskBackendCapabilities.ListPending"/> with the PostgreSQL or in-memory result store, not with a <see cref="MassTransitTaskBackendOptions.ResultStore"/> of another kind.</remarks>
    public override TaskBackendCapabilities Capabilities =>
        _transport.Capabilities | (_pending.IsSupported ? TaskBackendCapabilities.ListPending : TaskBackendCapabilities.None);

    /// <summary>The transport in use.</summary>
    public MassTransitTransport Transport => Options.Transport;

    /// <summary>The prefix of this backend's queues.</summary>
    public string QueuePrefix => Options.QueuePrefix;

    /// <summary>The validated copy of the options the backend was created with.</summary>
    internal MassTransitTaskBackendOptions Options { get; }

    internal ITaskTransport TaskTransport => _transport;

    /// <inheritdoc />
    public override Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default) =>
        _transport.SendAsync(envelopes, cancellationToken);

    /// <summary>
    /// Every task of this backend that has not started (Ready: new, deferred, waiting for a retry), optionally of one queue,
    /// ordered by queue then id (enqueue order for ids made on .NET 9 or later). Read from the result store, in pages of
    /// 1,000 with PostgreSQL; only results whose backend is this alias are listed, so backends sharing a table stay apart.
    /// </summary>
    /// <exception cref="TaskNotSupportedException">The result store is a <see cref="MassTransitTaskBackendOptions.ResultStore"/> that cannot list its results.</exception>
    public IAsyncEnumerable<TaskEnvelope> ListPendingAsync(string? queue = null, CancellationToken cancellationToken = default) =>
        _pending.ListAsync(queue, cancellationToken);

    /// <summary>
    /// Marks a task that has not started as removed: its result goes Ready → Cancelled (compare-and-set) with an error entry
    /// <c>Tasks.RemovedPending</c>, and its message, which RabbitMQ cannot take out of a queue, is acknowledged without
    /// running when a worker reaches it. The result is kept (for <see cref="MassTransitTaskBackendOptions.ResultsRetention"/>)
    /// so that it can be skipped; <see langword="false"/> if the task started, finished, is unknown or belongs to another alias.
    /// </summary>
    /// <exception cref="TaskNotSupportedException">The result store is a <see cref="MassTransitTaskBackendOptions.ResultStore"/> that cannot list its results.</exception>
    public Task<bool> RemovePendingAsync(string id, CancellationToken cancellationToken = default) =>
        _pending.RemoveAsync(id, cancellationToken);

    /// <summary>
    /// Prepares the enqueue side now rather than at the first enqueue: creates the results table (PostgreSQL), starts the
    /// sending bus (RabbitMQ) and declares <paramref name="queues"/>, so a misconfiguration shows at start-up and the first
    /// enqueue costs what the others do. Optional: every enqueue does whatever of this is still missing.
    /// </summary>
    /// <param name="queues">Tasks queues to declare now (others are declared at their first enqueue).</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <exception cref="TaskBackendUnavailableException">RabbitMQ or PostgreSQL cannot be reached within <see cref="MassTransitTaskBackendOptions.ConnectTimeout"/>.</exception>
    public async Task ConnectAsync(IEnumerable<string>? queues = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            // The result store creates its table at its first use.
            await Results.FindAsync(Guid.Empty.ToString(), cancellationToken).ConfigureAwait(false);
        }
        catch (TaskBackendUnavailableException ex) when (ex.Backend != Alias)
        {
            throw new TaskBackendUnavailableException(Alias, "connecting to the result store", ex);
        }

        await _transport.ConnectAsync(queues?.ToArray() ?? [], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ITaskWorker CreateWorker(TaskWorkerOptions options, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _transport.CreateWorker(this, options, services);
    }

    /// <summary>Stops the backend's sending bus and closes its connections (workers are stopped by whoever started them).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _transport.DisposeAsync().ConfigureAwait(false);
        if (_ownedResults is not null)
        {
            await _ownedResults.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static MassTransitTaskBackendOptions Validate(string alias, MassTransitTaskBackendOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(alias);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Clone();
        var prefix = o.QueuePrefix;
        if (string.IsNullOrEmpty(prefix) || prefix.Length > RabbitMqTopology.MaxPrefixLength || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new TaskConfigurationException($"Backend '{alias}': QueuePrefix '{prefix}' is invalid: use 1 to {RabbitMqTopology.MaxPrefixLength} ASCII letters, digits, '-', '_' or '.'.");
        }

        if (o.ConnectTimeout <= TimeSpan.Zero || o.SendTimeout <= TimeSpan.Zero || o.Heartbeat < TimeSpan.Zero)
        {
            throw new TaskConfigurationException($"Backend '{alias}': ConnectTimeout and SendTimeout must be positive, Heartbeat not negative.");
        }

        o.Results ??= o.Transport == MassTransitTransport.RabbitMq ? MassTransitResultStore.PostgreSql : MassTransitResultStore.InMemory;
        if (o.Transport == MassTransitTransport.RabbitMq)
        {
            _ = RabbitMqConnectionSettings.From(o, alias); // fails early on a missing or malformed server address
            if (o.InMemoryTransport is not null)
            {
                throw new TaskConfigurationException($"Backend '{alias}': InMemoryTransport is set but Transport is RabbitMq.");
            }

            if (o.ResultStore is null && o.Results == MassTransitResultStore.InMemory)
            {
                throw new TaskConfigurationException($"Backend '{alias}': Results=InMemory cannot serve RabbitMQ, whose workers run in other processes; use Results=PostgreSql with ResultsConnectionString.");
            }
        }

        if (o.ResultStore is null && o.Results == MassTransitResultStore.PostgreSql && string.IsNullOrWhiteSpace(o.ResultsConnectionString))
        {
            throw new TaskConfigurationException($"Backend '{alias}': Results=PostgreSql needs ResultsConnectionString (an Npgsql connection string).");
        }

        return o;
    }

    private static ITaskResultStore CreateResults(MassTransitTaskBackendOptions options)
    {
        if (options.ResultStore is { } supplied)
        {
            return supplied;
        }

        return options.Results == MassTransitResultStore.PostgreSql
            ? new PostgreSqlTaskResultStore(new PostgreSqlTaskResultStoreOptions
            {
                ConnectionString = options.ResultsConnectionString,
                Schema = options.ResultsSchema,
                Table = options.ResultsTable,
                Retention = options.ResultsRetention,
            })
            : new InMemoryTaskResultStore();
    }
}
