namespace Tasks;

/// <summary>
/// How long to wait before the next attempt of a failed task: <c>Initial * Factor^(failedAttempt-1)</c>, capped at <see cref="Max"/>.
/// </summary>
/// <param name="Initial">Delay after the first failed attempt.</param>
/// <param name="Factor">Growth per further failure; 1 gives a fixed delay.</param>
/// <param name="Max">Upper bound of any single delay.</param>
public sealed record RetryBackoff(TimeSpan Initial, double Factor, TimeSpan Max)
{
    /// <summary>Retry at once.</summary>
    public static RetryBackoff None { get; } = new(TimeSpan.Zero, 1, TimeSpan.Zero);

    /// <summary>The default: 1 s, doubling, at most 5 minutes.</summary>
    public static RetryBackoff Default { get; } = Exponential(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

    /// <summary>The same delay before every retry.</summary>
    public static RetryBackoff Fixed(TimeSpan delay) => new(delay, 1, delay);

    /// <summary>A delay that doubles after every failure, capped at <paramref name="max"/>.</summary>
    public static RetryBackoff Exponential(TimeSpan initial, TimeSpan max) => new(initial, 2, max);

    /// <summary>The delay to wait after attempt number <paramref name="failedAttempt"/> (1-based) failed.</summary>
    public TimeSpan GetDelay(int failedAttempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        var ticks = Initial.Ticks * Math.Pow(Factor, failedAttempt - 1);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }
}
