using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tasks.Execution;
using Tasks.Workers;

namespace Tasks.Backends;

/// <summary>
/// A real background queue in this process: priority order, run-after, results, cancel, concurrency and graceful
/// shutdown. The embedded default. Nothing survives the process, so it is for development, tests and small apps.
/// </summary>
public sealed class InMemoryTaskBackend : TaskBackendBase, ITaskWorkerFactory, IPendingTaskBackend
{
    /// <summary>The type name used in configuration (<c>Tasks:Backends:&lt;alias&gt;:Type</c>).</summary>
    public const string TypeName = "InMemory";

    private readonly object _gate = new();
    private readonly Dictionary<string, PriorityQueue<TaskEnvelope, (int NegPriority, long Seq)>> _ready = new(StringComparer.Ordinal);
    private readonly PriorityQueue<TaskEnvelope, (DateTimeOffset RunAfter, long Seq)> _delayed = new();
    private long _seq;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Creates the backend.</summary>
    public InMemoryTaskBackend(string alias, TimeProvider? timeProvider = null)
        : this(alias, new InMemoryTaskResultStore(), timeProvider)
    {
    }

    /// <summary>Creates the backend over another result store (e.g. a durable one, or a test double).</summary>
    public InMemoryTaskBackend(string alias, ITaskResultStore results, TimeProvider? timeProvider = null)
        : base(alias, results, timeProvider)
    {
    }

    /// <inheritdoc />
    public override TaskBackendCapabilities Capabilities =>
        TaskBackendCapabilities.Defer | TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results |
        TaskBackendCapabilities.Cancel | TaskBackendCapabilities.BulkEnqueue | TaskBackendCapabilities.Background |
        TaskBackendCapabilities.ListPending;

    /// <summary>Tasks waiting (ready or delayed), including cancelled ones not yet skipped by a worker.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _delayed.Count + _ready.Values.Sum(q => q.Count);
            }
        }
    }

    /// <inheritdoc />
    public override Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var now = Time.GetUtcNow();
            foreach (var e in envelopes)
            {
                AddLocked(e, now);
            }
        }

        Signal();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public ITaskWorker CreateWorker(TaskWorkerOptions options, IServiceProvider services)
    {
        var executor = services.GetRequiredService<TaskExecutor>();
        var logger = services.GetService<ILogger<PullTaskWorker>>() ?? NullLogger<PullTaskWorker>.Instance;
        var context = new TaskExecutionContext(Alias, options.WorkerId ?? WorkerIds.Create(), Results);
        return new PullTaskWorker(new Receiver(this, options.Queues.ToArray()), executor, context, options, logger, Time);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<TaskEnvelope> ListPendingAsync(string? queue = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        TaskEnvelope[] snapshot;
        lock (_gate)
        {
            snapshot = _delayed.UnorderedItems.Select(i => i.Element)
                .Concat(_ready.Values.SelectMany(q => q.UnorderedItems.Select(i => i.Element)))
                .Where(e => queue is null || e.Queue == queue)
                .ToArray();
        }

        foreach (var e in snapshot)
        {
            // Cancelled ones wait in the queues until a worker skips them; they are not pending.
            if (await Results.FindAsync(e.Id, cancellationToken).ConfigureAwait(false) is { Status: TaskResultStatus.Ready })
            {
                yield return e;
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> RemovePendingAsync(string id, CancellationToken cancellationToken = default)
    {
        var current = await Results.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (current is not { Status: TaskResultStatus.Ready })
        {
            return false;
        }

        lock (_gate)
        {
            var removed = RemoveLocked(_delayed, id);
            foreach (var q in _ready.Values)
            {
                removed |= RemoveLocked(q, id);
            }

            if (!removed)
            {
                return false; // taken by a worker in the meantime
            }
        }

        await Results.DeleteAsync([id], cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static bool RemoveLocked<TPriority>(PriorityQueue<TaskEnvelope, TPriority> queue, string id)
    {
        var items = queue.UnorderedItems.ToArray();
        if (!items.Any(i => i.Element.Id == id))
        {
            return false;
        }

        queue.Clear();
        foreach (var (element, priority) in items.Where(i => i.Element.Id != id))
        {
            queue.Enqueue(element, priority);
        }

        return true;
    }

    private async Task<TaskEnvelope> TakeAsync(string[] queues, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task changed;
            TimeSpan wait;
            lock (_gate)
            {
                var now = Time.GetUtcNow();
                while (_delayed.TryPeek(out var dueTask, out var key) && key.RunAfter <= now)
                {
                    _delayed.Dequeue();
                    AddLocked(dueTask with { RunAfter = null }, now);
                }

                PriorityQueue<TaskEnvelope, (int, long)>? best = null;
                (int, long) bestKey = default;
                foreach (var name in queues)
                {
                    if (_ready.TryGetValue(name, out var q) && q.TryPeek(out _, out var k) && (best is null || k.CompareTo(bestKey) < 0))
                    {
                        best = q;
                        bestKey = k;
                    }
                }

                if (best is not null)
                {
                    return best.Dequeue();
                }

                changed = _changed.Task;
                wait = _delayed.TryPeek(out _, out var next) ? next.RunAfter - now : Timeout.InfiniteTimeSpan;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var due = wait == Timeout.InfiniteTimeSpan
                ? Task.Delay(Timeout.InfiniteTimeSpan, stop.Token)
                : Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Time, stop.Token);

            // Wake on new work, on the next delayed task falling due, or on stop.
            await Task.WhenAny(changed, due).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private void AddLocked(TaskEnvelope e, DateTimeOffset now)
    {
        if (e.RunAfter is { } at && at > now)
        {
            _delayed.Enqueue(e, (at, _seq++));
            return;
        }

        if (!_ready.TryGetValue(e.Queue, out var q))
        {
            _ready[e.Queue] = q = new PriorityQueue<TaskEnvelope, (int, long)>();
        }

        q.Enqueue(e, (-e.Priority, _seq++));
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = NewSignal();
        }

        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Receiver(InMemoryTaskBackend backend, string[] queues) : ITaskReceiver
    {
        public async Task<ITaskDelivery> ReceiveAsync(CancellationToken cancellationToken) =>
            new Delivery(backend, await backend.TakeAsync(queues, cancellationToken).ConfigureAwait(false));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Delivery(InMemoryTaskBackend backend, TaskEnvelope envelope) : ITaskDelivery
    {
        public TaskEnvelope Envelope => envelope;

        public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task RetryAsync(TaskEnvelope next, CancellationToken cancellationToken) => backend.DispatchAsync([next], cancellationToken);

        public Task AbandonAsync(CancellationToken cancellationToken) => backend.DispatchAsync([envelope with { RunAfter = null }], cancellationToken);
    }
}
