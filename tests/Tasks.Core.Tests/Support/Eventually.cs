namespace Tasks.Core.Tests.Support;

/// <summary>Polls a condition that another thread makes true, without fixed sleeps.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestHost.WaitTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for: {what}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Awaits <paramref name="task"/>, failing the test instead of hanging if it does not complete.</summary>
    public static async Task<T> Within<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? TestHost.WaitTimeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out waiting for: {what}");
            throw;
        }
    }

    public static async Task Within(Task task, string what, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? TestHost.WaitTimeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out waiting for: {what}");
            throw;
        }
    }
}
