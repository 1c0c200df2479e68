namespace Tasks.MassTransit.InMemory;

/// <summary>
/// Where the in-memory transport's receive endpoints hand tasks to the workers of this process: one priority queue per
/// endpoint (highest priority first, first in first out within a priority), so several workers can share a queue.
/// </summary>
internal sealed class InMemoryDispatcher
{
    private readonly object _gate = new();
    private readonly Dictionary<string, PriorityQueue<TaskEnvelope, (int NegPriority, long Seq)>> _ready = new(StringComparer.Ordinal);
    private long _seq;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Tasks waiting for a worker.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ready.Values.Sum(q => q.Count);
            }
        }
    }

    public void Add(string endpoint, TaskEnvelope envelope)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (!_ready.TryGetValue(endpoint, out var queue))
            {
                _ready[endpoint] = queue = new PriorityQueue<TaskEnvelope, (int, long)>();
            }

            queue.Enqueue(envelope, (-envelope.Priority, _seq++));
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    /// <summary>Waits for the best task of <paramref name="endpoints"/>.</summary>
    public async Task<TaskEnvelope> TakeAsync(string[] endpoints, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task changed;
            lock (_gate)
            {
                PriorityQueue<TaskEnvelope, (int, long)>? best = null;
                (int, long) bestKey = default;
                foreach (var name in endpoints)
                {
                    if (_ready.TryGetValue(name, out var q) && q.TryPeek(out _, out var key) && (best is null || key.CompareTo(bestKey) < 0))
                    {
                        best = q;
                        bestKey = key;
                    }
                }

                if (best is not null)
                {
                    return best.Dequeue();
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
