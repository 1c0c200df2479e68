using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tasks.Benchmarks.Harness;

/// <summary>
/// The Tasks half of every row: <see cref="ITaskQueue.EnqueueAsync{TArgs}(TArgs, CancellationToken)"/> /
/// <see cref="ITaskQueue.EnqueueManyAsync{TArgs}(IEnumerable{TArgs}, CancellationToken)"/> of a no-op task, and a
/// worker from <see cref="ITaskBackendProvider.CreateWorker"/>. A row only says how to register its backend (under
/// <see cref="Alias"/>) and how to delete this run's state.
/// </summary>
public sealed class TasksSide : IBenchmarkSide
{
    /// <summary>The alias the row registers its backend under.</summary>
    public const string Alias = "bench";

    /// <summary>The queue the no-op task uses.</summary>
    public const string Queue = "bench";

    /// <summary>The no-op task's name.</summary>
    public const string TaskName = "bench.noop";

    private readonly SideContext _context;
    private readonly Action<TasksBuilder> _addBackend;
    private readonly Func<CancellationToken, Task>? _reset;
    private readonly Func<CancellationToken, Task>? _prepare;
    private readonly Func<CancellationToken, Task>? _drop;
    private readonly Action<IServiceCollection>? _configureServices;
    private readonly BenchmarkProbe _probe = new();
    private ServiceProvider? _provider;
    private bool _initialized;

    /// <summary>Creates the side.</summary>
    /// <param name="context">The row's context.</param>
    /// <param name="api">What the table calls it, e.g. "ITaskQueue + Tasks.Redis".</param>
    /// <param name="addBackend">Registers the backend under <see cref="Alias"/>, with every key / queue / schema prefixed by <see cref="SideContext.RunId"/>.</param>
    /// <param name="reset">Deletes this run's tasks and results on the server (not needed for in-process backends: the side also starts a new service provider).</param>
    /// <param name="inProcessOnly">The backend keeps its queue in the process (e.g. InMemory).</param>
    /// <param name="configureServices">Anything else the backend needs in the container.</param>
    /// <param name="prepare">Runs before the backend is created, in the harness and in each worker process: check the servers (failing with the start hint), create this run's schema.</param>
    /// <param name="drop">Runs once when the harness is done with the side (never in a worker process): leave nothing of this run on the servers.</param>
    public TasksSide(SideContext context, string api, Action<TasksBuilder> addBackend, Func<CancellationToken, Task>? reset = null, bool inProcessOnly = false, Action<IServiceCollection>? configureServices = null, Func<CancellationToken, Task>? prepare = null, Func<CancellationToken, Task>? drop = null)
    {
        _context = context;
        Api = api;
        _addBackend = addBackend;
        _reset = reset;
        InProcessOnly = inProcessOnly;
        _configureServices = configureServices;
        _prepare = prepare;
        _drop = drop;
    }

    /// <inheritdoc />
    public string Api { get; }

    /// <inheritdoc />
    public bool InProcessOnly { get; }

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_prepare is not null)
        {
            await _prepare(cancellationToken).ConfigureAwait(false);
        }

        // Creating the backend is where adapters connect (or validate options); fail here, not in the first timed call.
        _ = Provider().GetRequiredService<ITaskBackendProvider>().Get(Alias);
        _initialized = true;
    }

    /// <inheritdoc />
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await DisposeProviderAsync().ConfigureAwait(false);
        if (_reset is not null)
        {
            await _reset(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<IBenchmarkProducer> CreateProducerAsync(CancellationToken cancellationToken)
    {
        var queue = Provider().GetRequiredService<ITaskQueue>();
        try
        {
            // One untimed round trip (a lookup of an unknown id), so a backend that connects lazily is connected
            // before the timed calls start.
            await queue.GetResultAsync(Guid.NewGuid().ToString(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TaskNotFoundException or TaskNotSupportedException)
        {
            // Expected.
        }

        return new Producer(queue);
    }

    /// <inheritdoc />
    public async Task<IAsyncDisposable> StartConsumerAsync(WorkCounter counter, CancellationToken cancellationToken)
    {
        _probe.Counter = counter;
        var worker = Provider().GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions
        {
            Backend = Alias,
            Queues = [Queue],
            Concurrency = _context.Concurrency,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        });
        await worker.StartAsync(cancellationToken).ConfigureAwait(false);
        return worker;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeProviderAsync().ConfigureAwait(false);
        if (_drop is not null && _initialized && !_context.InWorkerProcess)
        {
            await _drop(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private ServiceProvider Provider()
    {
        if (_provider is not null)
        {
            return _provider;
        }

        var services = new ServiceCollection();

        // Warnings and errors only, to standard error: standard output carries the worker protocol.
        services.AddLogging(l => l.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(_probe);
        services.AddTasks(tasks =>
        {
            tasks.AddTask<NoopArgs, NoopHandler>(TaskName, o => o.Queue = Queue).UseDefaultBackend(Alias);
            if (_context.InWorkerProcess)
            {
                tasks.AddObserver<CountingObserver>();
            }

            _addBackend(tasks);
        });
        _configureServices?.Invoke(services);
        return _provider = services.BuildServiceProvider();
    }

    private async ValueTask DisposeProviderAsync()
    {
        if (_provider is { } p)
        {
            _provider = null;
            await p.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Producer(ITaskQueue queue) : IBenchmarkProducer
    {
        public Task EnqueueAsync(long sent, CancellationToken cancellationToken) => queue.EnqueueAsync(new NoopArgs(sent), cancellationToken);

        public Task EnqueueManyAsync(int count, CancellationToken cancellationToken) =>
            queue.EnqueueManyAsync(Enumerable.Repeat(new NoopArgs(0), count), cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
