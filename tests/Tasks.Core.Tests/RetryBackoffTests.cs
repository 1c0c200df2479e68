namespace Tasks.Core.Tests;

/// <summary><see cref="RetryBackoff"/>: Initial * Factor^(failedAttempt-1), capped at Max.</summary>
public sealed class RetryBackoffTests
{
    [Fact]
    public void Fixed_waits_the_same_before_every_retry()
    {
        var backoff = RetryBackoff.Fixed(TimeSpan.FromSeconds(5));

        Assert.All(Enumerable.Range(1, 10), n => Assert.Equal(TimeSpan.FromSeconds(5), backoff.GetDelay(n)));
        Assert.Equal(new RetryBackoff(TimeSpan.FromSeconds(5), 1, TimeSpan.FromSeconds(5)), backoff);
    }

    [Fact]
    public void Exponential_doubles_up_to_the_cap()
    {
        var backoff = RetryBackoff.Exponential(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        Assert.Equal(
            new[] { 1, 2, 4, 8, 10, 10 }.Select(s => TimeSpan.FromSeconds(s)),
            Enumerable.Range(1, 6).Select(backoff.GetDelay));
    }

    [Fact]
    public void A_custom_factor_grows_by_that_factor()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), 3, TimeSpan.FromHours(1));

        Assert.Equal(TimeSpan.FromMilliseconds(100), backoff.GetDelay(1));
        Assert.Equal(TimeSpan.FromMilliseconds(300), backoff.GetDelay(2));
        Assert.Equal(TimeSpan.FromMilliseconds(900), backoff.GetDelay(3));
        Assert.Equal(TimeSpan.FromMilliseconds(2700), backoff.GetDelay(4));
    }

    [Fact]
    public void The_cap_holds_for_huge_attempt_numbers_without_overflow()
    {
        var backoff = RetryBackoff.Exponential(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

        Assert.Equal(TimeSpan.FromMinutes(5), backoff.GetDelay(64));
        Assert.Equal(TimeSpan.FromMinutes(5), backoff.GetDelay(10_000));
        Assert.Equal(TimeSpan.FromMinutes(5), backoff.GetDelay(int.MaxValue));
    }

    [Fact]
    public void A_cap_below_the_initial_delay_wins()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), new RetryBackoff(TimeSpan.FromSeconds(10), 2, TimeSpan.FromSeconds(2)).GetDelay(1));
    }

    [Fact]
    public void None_retries_at_once_and_Default_is_one_second_doubling_to_five_minutes()
    {
        Assert.All(Enumerable.Range(1, 5), n => Assert.Equal(TimeSpan.Zero, RetryBackoff.None.GetDelay(n)));
        Assert.Equal(new RetryBackoff(TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(5)), RetryBackoff.Default);
        Assert.Equal(TimeSpan.FromSeconds(256), RetryBackoff.Default.GetDelay(9));
        Assert.Equal(TimeSpan.FromMinutes(5), RetryBackoff.Default.GetDelay(10));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Attempt_numbers_start_at_one(int attempt)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryBackoff.Default.GetDelay(attempt));
    }
}
