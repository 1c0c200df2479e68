using Quartz;

namespace Tasks.Quartz;

/// <summary>
/// The Ram job store's one scheduler. A RAMJobStore cannot be shared between schedulers, so the workers of a Ram
/// backend attach to this scheduler instead of running their own: their queues and concurrency become the scheduler's
/// execution limits (a queue may run as many tasks at once as the attached workers serving it together; a queue nobody
/// serves may run none), and each firing is run by one attached worker that serves its queue and has a free slot.
/// </summary>
internal sealed class QuartzRamEngine : IQuartzTaskHost, IAsyncDisposable
{
    /// <summary>Threads of the shared scheduler when <see cref="QuartzTaskBackendOptions.ThreadCount"/> is not set.</summary>
    public const int DefaultThreadCount = 64;

    private readonly QuartzTaskBackend _backend;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<QuartzRamWorker> _workers = [];
    private readonly int _threads;
    private StandaloneSchedulerFactory? _factory;
    private IScheduler? _scheduler;
    private TaskCompletionSource _changed = NewSignal();
    private int _next;
    private bool _started;
    private bool _disposed;

    public QuartzRamEngine(QuartzTaskBackend backend)
    {
        _backend = backend;
        _threads = backend.Options.ThreadCount ?? DefaultThreadCount;
    }

    public QuartzRamWorker CreateWorker(TaskWorkerOptions options, string workerId, Execution.TaskExecutor executor) => new(this, _backend, options, workerId, executor);

    /// <summary>The shared scheduler (built on first use; it fires only once a worker attaches).</summary>
    public async ValueTask<IScheduler> GetSchedulerAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is { } s)
        {
            return s;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_scheduler is null)
            {
                // Nothing may run until a worker says which queues it serves.
                _factory = _backend.BuildScheduler(null, _threads, null, this, l => l.ForDefaultGroup(0, ExecutionLimitScope.Node).ForOtherGroups(0, ExecutionLimitScope.Node));
                _scheduler = await _factory.GetScheduler(cancellationToken).ConfigureAwait(false);
            }

            return _scheduler;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task AttachAsync(QuartzRamWorker worker, CancellationToken cancellationToken)
    {
        var scheduler = await GetSchedulerAsync(cancellationToken).ConfigureAwait(false);
        lock (_workers)
        {
            _workers.Add(worker);
        }

        await ApplyLimitsAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_started)
            {
                await scheduler.Start(cancellationToken).ConfigureAwait(false);
                _started = true;
            }
        }
        finally
        {
            _gate.Release();
        }

        Signal();
    }

    /// <summary>Takes the worker's queues out of the limits (it is stopping); its running tasks go on.</summary>
    public Task WithdrawAsync() => ApplyLimitsAsync(CancellationToken.None);

    public void Detach(QuartzRamWorker worker)
    {
        lock (_workers)
        {
            _workers.Remove(worker);
        }

        Signal();
    }

    public void Signal()
    {
        TaskCompletionSource previous;
        lock (_workers)
        {
            previous = _changed;
            _changed = NewSignal();
        }

        previous.TrySetResult();
    }

    /// <inheritdoc />
    public async ValueTask RunAsync(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (_backend.ReadEnvelope(context) is not { } envelope)
        {
            return;
        }

        var worker = await TakeSlotAsync(envelope.Queue, cancellationToken).ConfigureAwait(false);
        if (worker is null)
        {
            // Acquired just as the last worker of its queue stopped: back to its place, to wait for the next one.
            await _backend.PutBackAsync(context.Scheduler, envelope, context.ScheduledFireTimeUtc ?? QuartzTaskMapping.FireTime(envelope.Priority, null, _backend.ReadyNow())).ConfigureAwait(false);
            return;
        }

        try
        {
            await worker.RunAsync(context, envelope, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            worker.ReleaseSlot();
            Signal();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_scheduler is not null)
            {
                await _scheduler.Shutdown(waitForJobsToComplete: true, CancellationToken.None).ConfigureAwait(false);
            }

            if (_factory is not null)
            {
                await _factory.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ApplyLimitsAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, int> perQueue = new(StringComparer.Ordinal);
        lock (_workers)
        {
            foreach (var w in _workers.Where(w => w.Serving))
            {
                foreach (var q in w.Queues)
                {
                    perQueue[q] = perQueue.GetValueOrDefault(q) + w.Concurrency;
                }
            }
        }

        var builder = ExecutionLimitsBuilder.Create().ForDefaultGroup(0, ExecutionLimitScope.Node).ForOtherGroups(0, ExecutionLimitScope.Node);
        foreach (var (queue, n) in perQueue)
        {
            builder.ForGroup(QuartzTaskMapping.ExecutionGroup(queue), Math.Min(n, _threads), ExecutionLimitScope.Node);
        }

        // One writer at a time, so limits computed later are never overwritten by ones computed earlier.
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_disposed && _scheduler is not null)
            {
                await _scheduler.SetExecutionLimits(builder.Build(), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<QuartzRamWorker?> TakeSlotAsync(string queue, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_workers)
            {
                var serving = _workers.Where(w => w.Serving && w.Serves(queue)).ToArray();
                if (serving.Length == 0)
                {
                    return null;
                }

                // Round-robin start, so the load spreads over the workers of a queue.
                var start = _next++;
                for (var i = 0; i < serving.Length; i++)
                {
                    var w = serving[(int)((uint)(start + i) % (uint)serving.Length)];
                    if (w.TryTakeSlot())
                    {
                        return w;
                    }
                }

                changed = _changed.Task;
            }

            // Every serving worker is busy with tasks of its other queues: wait for a slot.
            await changed.WaitAsync(TimeSpan.FromMilliseconds(200), cancellationToken).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
