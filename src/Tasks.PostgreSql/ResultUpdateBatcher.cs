namespace Tasks.PostgreSql;

/// <summary>
/// Group commit for compare-and-set updates: an update that finds none in flight is sent at once (no added wait);
/// updates that arrive while one is in flight wait for it and then go together, as one statement. A busy worker writes
/// two results per task from many deliveries at once, so this turns several round trips and statements into one.
/// </summary>
/// <remarks>
/// Two updates of the same result never share a statement (a joined <c>UPDATE</c> applies only one of them and could
/// not say which): the later one waits for the next batch, so each result's updates keep their order.
/// </remarks>
internal sealed class ResultUpdateBatcher(Func<IReadOnlyList<ResultUpdateBatcher.Update>, Task<IReadOnlySet<Guid>>> send)
{
    /// <summary>The most updates in one statement.</summary>
    internal const int MaxBatch = 256;

    private readonly object _gate = new();
    private readonly List<Update> _waiting = [];
    private bool _sending;

    /// <summary>Queues <paramref name="result"/> to be written if its stored version is <paramref name="expectedVersion"/>; true if it was.</summary>
    public Task<bool> UpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var update = new Update(Guid.Parse(result.Id), result, expectedVersion);
        bool start;
        lock (_gate)
        {
            _waiting.Add(update);
            start = !_sending;
            _sending = true;
        }

        if (start)
        {
            // Sends on this thread up to its first await, so a lone update goes out at once.
            _ = DrainAsync();
        }

        return cancellationToken.CanBeCanceled ? update.Applied.Task.WaitAsync(cancellationToken) : update.Applied.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<Update>();
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }

                var ids = new HashSet<Guid>();
                for (var i = 0; i < _waiting.Count && batch.Count < MaxBatch; i++)
                {
                    // A second update of a result already in this batch stays, in order, for the next one.
                    if (ids.Add(_waiting[i].Id))
                    {
                        batch.Add(_waiting[i]);
                        _waiting.RemoveAt(i--);
                    }
                }
            }

            try
            {
                var applied = await send(batch).ConfigureAwait(false);
                foreach (var u in batch)
                {
                    u.Applied.TrySetResult(applied.Contains(u.Id));
                }
            }
            catch (Exception ex)
            {
                foreach (var u in batch)
                {
                    u.Applied.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>One queued update and the answer its caller waits for.</summary>
    internal sealed class Update(Guid id, TaskResult result, long expectedVersion)
    {
        /// <summary>The result's id as the table stores it.</summary>
        public Guid Id { get; } = id;

        /// <summary>The result to write.</summary>
        public TaskResult Result { get; } = result;

        /// <summary>The version the stored result must have.</summary>
        public long ExpectedVersion { get; } = expectedVersion;

        /// <summary>Completed with whether the update was applied; its callers continue on the thread pool, never inside the send loop.</summary>
        public TaskCompletionSource<bool> Applied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
