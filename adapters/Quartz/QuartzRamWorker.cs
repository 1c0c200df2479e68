using Quartz;
using Tasks.Execution;

namespace Tasks.Quartz;

/// <summary>A worker of the Ram job store: a set of queues and slots attached to the backend's one scheduler.</summary>
internal sealed class QuartzRamWorker : ITaskWorker
{
    private readonly QuartzRamEngine _engine;
    private readonly QuartzTaskBackend _backend;
    private readonly TaskWorkerOptions _options;
    private readonly TaskExecutor _executor;
    private readonly TaskExecutionContext _context;
    private readonly SemaphoreSlim _slots;
    private readonly HashSet<string> _queues;
    private readonly CancellationTokenSource _stopRunning = new();
    private volatile bool _serving;
    private bool _stopped;

    public QuartzRamWorker(QuartzRamEngine engine, QuartzTaskBackend backend, TaskWorkerOptions options, string workerId, TaskExecutor executor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        _engine = engine;
        _backend = backend;
        _options = options;
        _executor = executor;
        _context = new TaskExecutionContext(backend.Alias, workerId, backend.Results);
        _slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
        _queues = new HashSet<string>(options.Queues, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public string Id => _context.WorkerId;

    public IReadOnlyCollection<string> Queues => _queues;

    public int Concurrency => _options.Concurrency;

    /// <summary>Whether it takes new tasks (started and not stopping).</summary>
    public bool Serving => _serving;

    public bool Serves(string queue) => _queues.Contains(queue);

    public bool TryTakeSlot() => _serving && _slots.Wait(0);

    public void ReleaseSlot() => _slots.Release();

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _serving = true;
        await _engine.AttachAsync(this, cancellationToken).ConfigureAwait(false);
        QuartzLog.WorkerStarted(_backend.Logger, _backend.Alias, Id, _backend.SchedulerName, "ram", string.Join(",", _queues), _options.Concurrency);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _serving = false;
        try
        {
            await _engine.WithdrawAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The backend is gone already; nothing more can be acquired for this worker anyway.
        }

        if (!await DrainAsync(_options.ShutdownTimeout, cancellationToken).ConfigureAwait(false))
        {
            QuartzLog.Interrupting(_backend.Logger, _backend.Alias, Id, _options.Concurrency - _slots.CurrentCount);
            await _stopRunning.CancelAsync().ConfigureAwait(false);
            await DrainAsync(Timeout.InfiniteTimeSpan, CancellationToken.None).ConfigureAwait(false);
        }

        _engine.Detach(this);
        QuartzLog.WorkerStopped(_backend.Logger, _backend.Alias, Id);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopRunning.Dispose();
    }

    public async ValueTask RunAsync(IJobExecutionContext context, TaskEnvelope envelope, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopRunning.Token);
        await _backend.RunFiringAsync(context, envelope, _executor, _context, linked.Token).ConfigureAwait(false);
    }

    private async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : _backend.Clock.GetUtcNow() + timeout;
        while (_slots.CurrentCount < _options.Concurrency)
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
