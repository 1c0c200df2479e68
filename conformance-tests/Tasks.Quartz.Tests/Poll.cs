using Xunit;

namespace Tasks.Quartz.Tests;

/// <summary>Waits for a condition the worker brings about, failing the test when it does not hold in time.</summary>
internal static class Poll
{
    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; fails with "<paramref name="what"/> within N s" after <paramref name="within"/> (30 s).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} within {limit.TotalSeconds:0} s");
            await Task.Delay(20);
        }
    }

    /// <inheritdoc cref="UntilAsync(Func{Task{bool}}, string, TimeSpan?)"/>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? within = null) => UntilAsync(() => Task.FromResult(condition()), what, within);
}
