using Quartz;
using Tasks.Execution;

namespace Tasks.Quartz;

/// <summary>
/// A worker of the AdoNet job store: its own Quartz scheduler (a cluster node with a unique instance id) that serves
/// only the execution groups of the worker's queues, with as many threads as the worker's concurrency. With the built-in
/// results table its <see cref="QuartzResultPurger"/> deletes the (durable) jobs of tasks whose results have expired.
/// </summary>
internal sealed class QuartzAdoWorker : ITaskWorker, IQuartzTaskHost
{
    private readonly QuartzTaskBackend _backend;
    private readonly TaskWorkerOptions _options;
    private readonly TaskExecutor _executor;
    private readonly TaskExecutionContext _context;
    private readonly CancellationTokenSource _stopRunning = new();
    private readonly QuartzResultPurger? _purger;
    private StandaloneSchedulerFactory? _factory;
    private IScheduler? _scheduler;
    private int _running;
    private volatile bool _accepting;
    private bool _stopped;

    public QuartzAdoWorker(QuartzTaskBackend backend, TaskWorkerOptions options, string workerId, TaskExecutor executor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        _backend = backend;
        _options = options;
        _executor = executor;
        _context = new TaskExecutionContext(backend.Alias, workerId, backend.Results);
        _purger = backend.DurableJobs ? new QuartzResultPurger(backend) : null;
    }

    /// <inheritdoc />
    public string Id => _context.WorkerId;

    /// <summary>The started scheduler while it takes work, so the backend can enqueue through it (and wake it).</summary>
    internal IScheduler? Scheduler => _accepting ? _scheduler : null;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _backend.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var threads = Math.Min(_options.Concurrency, _backend.Options.ThreadCount ?? int.MaxValue);
        var instanceId = _backend.Options.Clustered ? $"{Id}#{Guid.NewGuid().ToString("N")[..8]}" : null;
        _factory = _backend.BuildScheduler(instanceId, threads, _options.Queues, this);
        await _backend.RunQuartzAsync("starting a worker", async () =>
        {
            _scheduler = await _factory.GetScheduler(cancellationToken).ConfigureAwait(false);
            await _scheduler.Start(cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        _accepting = true;
        _backend.AddLocalWorker(this);
        _purger?.Start();
        QuartzLog.WorkerStarted(_backend.Logger, _backend.Alias, Id, _backend.SchedulerName, _scheduler!.SchedulerInstanceId, string.Join(",", _options.Queues), threads);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped || _scheduler is null)
        {
            return;
        }

        _stopped = true;
        _accepting = false;
        _backend.RemoveLocalWorker(this);

        // Standby: no trigger is acquired any more; running tasks go on.
        await _scheduler.Standby(CancellationToken.None).ConfigureAwait(false);
        if (!await DrainAsync(_options.ShutdownTimeout, cancellationToken).ConfigureAwait(false))
        {
            QuartzLog.Interrupting(_backend.Logger, _backend.Alias, Id, Volatile.Read(ref _running));
            await _stopRunning.CancelAsync().ConfigureAwait(false); // the pipeline abandons them; each is put back
            await DrainAsync(Timeout.InfiniteTimeSpan, CancellationToken.None).ConfigureAwait(false);
        }

        await _scheduler.Shutdown(waitForJobsToComplete: true, CancellationToken.None).ConfigureAwait(false);
        if (_purger is not null)
        {
            await _purger.DisposeAsync().ConfigureAwait(false);
        }

        QuartzLog.WorkerStopped(_backend.Logger, _backend.Alias, Id);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_factory is not null)
        {
            await _factory.DisposeAsync().ConfigureAwait(false);
        }

        _stopRunning.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask RunAsync(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _running);
        try
        {
            if (_backend.ReadEnvelope(context) is not { } envelope)
            {
                return;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopRunning.Token);
            await _backend.RunFiringAsync(context, envelope, _executor, _context, linked.Token).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : _backend.Clock.GetUtcNow() + timeout;
        while (Volatile.Read(ref _running) > 0)
        {
            if (_backend.Clock.GetUtcNow() >= deadline || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), _backend.Clock, CancellationToken.None).ConfigureAwait(false);
        }

        return true;
    }
}
