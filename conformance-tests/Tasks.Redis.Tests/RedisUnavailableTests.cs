using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>An unreachable Redis gives the typed "did not happen" error, enqueues nothing, and never leaks the password.</summary>
public sealed class RedisUnavailableTests : RedisTestBase
{
    private const string Secret = "S3cr3t-Pa55word-never-shown";

    [Fact]
    public async Task Enqueue_while_redis_is_unreachable_fails_typed_and_enqueues_nothing()
    {
        var prefix = NewPrefix("down");
        var logs = new CapturingLoggerProvider();
        var host = Host(prefix, o => o.ConnectionString = $"127.0.0.1:1,connectTimeout=500,connectRetry=1,password={Secret}", logs);

        var one = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => host.Queue.EnqueueAsync(new RecordArgs("lost?")));
        var many = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => host.Queue.EnqueueManyAsync([new RecordArgs("a"), new RecordArgs("b")]));
        var read = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => host.Queue.GetResultAsync(Guid.NewGuid().ToString()));
        var cancel = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => host.Queue.CancelAsync(Guid.NewGuid().ToString()));

        Assert.Equal(RedisTestHost.Alias, one.Backend);
        Assert.Contains("127.0.0.1:1", one.Message, StringComparison.Ordinal);
        foreach (var ex in new Exception[] { one, many, read, cancel })
        {
            Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(logs.Lines, l => l.Contains(Secret, StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("could not connect", StringComparison.Ordinal));
        RedisTestServer.AssertNoKeys(await RedisTestServer.KeysAsync(Admin, prefix), "nothing may be enqueued");
    }

    [Fact]
    public async Task Invalid_settings_are_reported_without_the_password()
    {
        var bad = new RedisTaskBackendOptions { ConnectionString = $"localhost:6379,password={Secret},connectTimeout=notanumber" };
        var ex = Assert.Throws<TaskConfigurationException>(() => new RedisTaskBackend("x", bad));
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);

        var missing = Assert.Throws<TaskConfigurationException>(() => new RedisTaskBackend("x", new RedisTaskBackendOptions()));
        Assert.Contains("ConnectionString", missing.Message, StringComparison.Ordinal);
        Assert.Throws<TaskConfigurationException>(() => new RedisTaskBackend("x", new RedisTaskBackendOptions { ConnectionString = "localhost", Prefix = "has space" }));
        Assert.Throws<TaskConfigurationException>(() => new RedisTaskBackend("x", new RedisTaskBackendOptions { ConnectionString = "localhost", VisibilityTimeout = TimeSpan.FromSeconds(5), HeartbeatInterval = TimeSpan.FromSeconds(5) }));
        Assert.Contains("RunningStatusDelay", Assert.Throws<TaskConfigurationException>(() => new RedisTaskBackend("x", new RedisTaskBackendOptions { ConnectionString = "localhost", RunningStatusDelay = TimeSpan.FromMilliseconds(-1) })).Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public void Tls_user_and_password_options_map_onto_the_connection_and_are_not_printed()
    {
        var options = new RedisTaskBackendOptions
        {
            ConnectionString = "redis.example:6380,user=fromstring",
            User = "app",
            Password = Secret,
            UseTls = true,
            TlsHost = "cache.example",
        };
        var config = RedisTaskBackend.BuildConfiguration("main", options);
        Assert.True(config.Ssl);
        Assert.Equal("cache.example", config.SslHost);
        Assert.Equal("app", config.User);
        Assert.Equal(Secret, config.Password);
        Assert.Equal("tasks-main", config.ClientName);
        Assert.DoesNotContain(Secret, config.ToString(includePassword: false), StringComparison.Ordinal);

        var fromString = RedisTaskBackend.BuildConfiguration("main", new RedisTaskBackendOptions { ConnectionString = $"h:1,ssl=true,user=u,password={Secret},name=mine" });
        Assert.True(fromString.Ssl);
        Assert.Equal("u", fromString.User);
        Assert.Equal("mine", fromString.ClientName);
    }
}
