using StackExchange.Redis;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>Adapter tests: an admin connection, fresh prefixes, and hosts that are disposed and cleaned up after each test.</summary>
public abstract class RedisTestBase : IAsyncLifetime
{
    private readonly List<RedisTestHost> _hosts = [];
    private readonly List<string> _prefixes = [];
    private ConnectionMultiplexer? _admin;

    protected IConnectionMultiplexer Admin => _admin!;

    protected IDatabase Db => Admin.GetDatabase();

    public async Task InitializeAsync() => _admin = await RedisTestServer.ConnectAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        foreach (var prefix in _prefixes)
        {
            await RedisTestServer.ClearAsync(Admin, prefix);
        }

        await Admin.DisposeAsync();
    }

    protected string NewPrefix(string kind)
    {
        var prefix = RedisTestServer.NewPrefix(kind);
        _prefixes.Add(prefix);
        return prefix;
    }

    protected RedisTestHost Host(string prefix, Action<RedisTaskBackendOptions>? configure = null, CapturingLoggerProvider? logs = null)
    {
        var host = new RedisTestHost(
            o =>
            {
                o.ConnectionString = RedisTestServer.ConnectionString;
                o.Prefix = prefix;
                o.VisibilityTimeout = TimeSpan.FromSeconds(3);
                o.HeartbeatInterval = TimeSpan.FromSeconds(1);
                configure?.Invoke(o);
            },
            logs: logs);
        _hosts.Add(host);
        return host;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing the test after 20 seconds.</summary>
    protected static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }

    protected static async Task<TaskResult> FinishedAsync(RedisTestHost host, string id, int seconds = 20) =>
        await host.Queue.WaitAsync(id, TimeSpan.FromSeconds(seconds));
}
