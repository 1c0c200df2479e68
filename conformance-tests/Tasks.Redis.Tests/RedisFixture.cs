using System.Diagnostics;
using StackExchange.Redis;
using Tasks.Conformance;

namespace Tasks.Redis.Tests;

/// <summary>
/// The Redis backend on the real test server, under a key prefix of its own (so parallel rows and runs never collide).
/// Every host gets its own backend and connection, as separate processes would; the crash test's worker is a real process.
/// </summary>
public sealed class RedisFixture : TaskBackendFixture
{
    /// <summary>Short, so the crash test recovers in seconds: deadline 3 s after the last heartbeat, heartbeats every 1 s.</summary>
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    private ConnectionMultiplexer? _admin;

    public string Prefix { get; } = RedisTestServer.NewPrefix("conformance");

    public IConnectionMultiplexer Admin => _admin ?? throw new InvalidOperationException("Not initialized.");

    // Recovery is at most VisibilityTimeout after the last heartbeat plus one heartbeat of the rescuer (~4 s); 6 s leaves room for a loaded machine.
    public override BackendTraits Traits { get; } = new()
    {
        CrashRecoveryTime = TimeSpan.FromSeconds(6),
        RunAfterTolerance = TimeSpan.FromSeconds(1),
    };

    public override void AddBackend(TasksBuilder tasks) => Register(tasks, RedisTestServer.ConnectionString, Prefix);

    /// <summary>The registration shared by the fixture and its worker processes.</summary>
    public static void Register(TasksBuilder tasks, string connectionString, string prefix) =>
        tasks.AddRedisBackend(BackendAlias, o =>
        {
            o.ConnectionString = connectionString;
            o.Prefix = prefix;
            o.VisibilityTimeout = VisibilityTimeout;
            o.HeartbeatInterval = HeartbeatInterval;
        });

    public override ProcessStartInfo? CreateWorkerProcess(string workerId) =>
        ConformanceWorker.StartInfo(typeof(RedisFixture).Assembly, workerId, RedisTestServer.ConnectionString, Prefix);

    public override async Task InitializeAsync() => _admin = await RedisTestServer.ConnectAsync();

    public override async Task DisposeAsync()
    {
        if (_admin is not null)
        {
            await RedisTestServer.ClearAsync(_admin, Prefix);
            await _admin.DisposeAsync();
        }
    }

    public override Task ResetAsync() => RedisTestServer.ClearAsync(Admin, Prefix);
}
