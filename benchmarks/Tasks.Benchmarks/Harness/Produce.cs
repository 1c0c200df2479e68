using System.Diagnostics;

namespace Tasks.Benchmarks.Harness;

/// <summary>The two ways the harness feeds a consumer: as fast as bulk calls go, or one by one at a steady rate.</summary>
public static class Produce
{
    /// <summary>Enqueues <paramref name="count"/> tasks in bulk calls of <paramref name="batch"/>.</summary>
    public static async Task BulkAsync(IBenchmarkProducer producer, int count, int batch, CancellationToken cancellationToken)
    {
        for (var done = 0; done < count; done += batch)
        {
            await producer.EnqueueManyAsync(Math.Min(batch, count - done), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Enqueues <paramref name="count"/> tasks one by one at <paramref name="rate"/> per second, each carrying its send time.</summary>
    /// <remarks>Paced against the start (not the previous send), so a slow enqueue does not lower the average rate.</remarks>
    public static async Task SteadyAsync(IBenchmarkProducer producer, int count, int rate, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var interval = (double)Stopwatch.Frequency / rate;
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i * interval);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
            }

            await producer.EnqueueAsync(Stopwatch.GetTimestamp(), cancellationToken).ConfigureAwait(false);
        }
    }
}
