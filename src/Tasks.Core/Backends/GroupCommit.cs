namespace Tasks;

/// <summary>
/// Group commit for a backend's storage writes: an item added while no call is in flight is sent at once (no added
/// latency when idle); items added while a call is in flight wait for it and then go together in the next call. Under
/// load this turns a round trip per task into one per batch, which is what keeps a busy worker and its store cheap.
/// </summary>
/// <typeparam name="TItem">One write.</typeparam>
/// <typeparam name="TResult">What one write's caller is told.</typeparam>
/// <remarks>
/// <list type="bullet">
/// <item>Each call of the send function gets at most <c>maxBatch</c> items, oldest first, and must return one answer
/// per item, in order. If it throws, every item of that call fails with the same exception (callers decide whether to
/// retry); later items are still sent.</item>
/// <item>With a <c>conflictKey</c>, two items with the same key never share a call: the later one waits for the next, so
/// the items of one key keep their order and each call holds at most one of them (for stores where a joined statement
/// would apply only one of several writes to one row).</item>
/// <item>Callers' continuations run on the thread pool, never inside the send loop.</item>
/// </list>
/// </remarks>
public sealed class GroupCommit<TItem, TResult>
{
    private readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> _send;
    private readonly int _maxBatch;
    private readonly Func<TItem, object>? _conflictKey;
    private readonly object _gate = new();
    private readonly List<Pending> _waiting = [];
    private bool _sending;

    /// <summary>Creates the group commit over <paramref name="send"/>.</summary>
    /// <param name="send">Sends one batch and returns one answer per item, in order.</param>
    /// <param name="maxBatch">The most items in one call.</param>
    /// <param name="conflictKey">Items with equal keys never share a call; <see langword="null"/> for no such rule.</param>
    public GroupCommit(Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> send, int maxBatch = 256, Func<TItem, object>? conflictKey = null)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _send = send;
        _maxBatch = maxBatch;
        _conflictKey = conflictKey;
    }

    /// <summary>Adds <paramref name="item"/> to the next call (sending it at once if none is in flight); completes with its answer.</summary>
    /// <param name="item">The write.</param>
    /// <param name="cancellationToken">Stops waiting for the answer; the write may still be sent.</param>
    public Task<TResult> AddAsync(TItem item, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(item);
        bool start;
        lock (_gate)
        {
            _waiting.Add(pending);
            start = !_sending;
            _sending = true;
        }

        if (start)
        {
            // Sends on this thread up to its first await, so a lone item goes out at once.
            _ = SendLoopAsync();
        }

        return cancellationToken.CanBeCanceled ? pending.Answer.Task.WaitAsync(cancellationToken) : pending.Answer.Task;
    }

    private async Task SendLoopAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }

                batch = TakeBatchLocked();
            }

            try
            {
                var answers = await _send(batch.ConvertAll(p => p.Item)).ConfigureAwait(false);
                if (answers.Count != batch.Count)
                {
                    throw new InvalidOperationException($"The group commit's send returned {answers.Count} answers for {batch.Count} items.");
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Answer.TrySetResult(answers[i]);
                }
            }
            catch (Exception ex)
            {
                foreach (var p in batch)
                {
                    p.Answer.TrySetException(ex);
                }
            }
        }
    }

    private List<Pending> TakeBatchLocked()
    {
        if (_conflictKey is null)
        {
            var count = Math.Min(_waiting.Count, _maxBatch);
            var all = _waiting.GetRange(0, count);
            _waiting.RemoveRange(0, count);
            return all;
        }

        // A second item of a key already in this batch stays, in order, for the next one.
        var batch = new List<Pending>();
        var keys = new HashSet<object>();
        var kept = 0;
        for (var i = 0; i < _waiting.Count; i++)
        {
            var p = _waiting[i];
            if (batch.Count < _maxBatch && keys.Add(_conflictKey(p.Item)))
            {
                batch.Add(p);
            }
            else
            {
                _waiting[kept++] = p;
            }
        }

        _waiting.RemoveRange(kept, _waiting.Count - kept);
        return batch;
    }

    private sealed class Pending(TItem item)
    {
        public TItem Item { get; } = item;

        public TaskCompletionSource<TResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
