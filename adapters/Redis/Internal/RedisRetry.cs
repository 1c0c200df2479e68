namespace Tasks.Redis.Internal;

/// <summary>
/// Retries a worker-side call through a dropped connection (StackExchange.Redis reconnects by itself). Only for calls that
/// are safe to repeat: every settle and compare-and-set script recognises its own earlier, applied try.
/// </summary>
internal static class RedisRetry
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="call"/>, retrying unavailability errors with growing pauses for up to <paramref name="budget"/>.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, TimeSpan budget, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + budget;
        var pause = FirstPause;
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisErrors.IsUnavailable(ex) && time.GetUtcNow() + pause < deadline && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
                pause = pause * 2 > LongestPause ? LongestPause : pause * 2;
            }
        }
    }
}
