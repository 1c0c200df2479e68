using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>The backend configured by type name from configuration, with every option bound.</summary>
public sealed class RedisConfigurationTests : RedisTestBase
{
    [Fact]
    public async Task Backend_is_created_from_configuration_with_its_options()
    {
        var prefix = NewPrefix("config");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tasks:DefaultBackend"] = "main",
            ["Tasks:Backends:main:Type"] = "Redis",
            ["Tasks:Backends:main:ConnectionString"] = RedisTestServer.ConnectionString,
            ["Tasks:Backends:main:Prefix"] = prefix,
            ["Tasks:Backends:main:VisibilityTimeout"] = "00:00:07",
            ["Tasks:Backends:main:HeartbeatInterval"] = "00:00:02",
            ["Tasks:Backends:main:ResultRetention"] = "1.00:00:00",
            ["Tasks:Backends:main:IdlePollInterval"] = "00:00:03",
            ["Tasks:Backends:main:RunningStatusDelay"] = "00:00:00.050",
            ["Tasks:Backends:main:DeadLetterMaxLength"] = "50",
            ["Tasks:Backends:main:EnqueueBatchSize"] = "200",
            ["Tasks:Backends:main:Database"] = "0",
            ["Tasks:Workers:0:Backend"] = "main",
            ["Tasks:Workers:0:Concurrency"] = "2",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(new Tasks.Conformance.ConformanceProbe());
        services.AddTasks(tasks => tasks.AddConformanceTasks().AddRedisBackendType());
        await using var provider = services.BuildServiceProvider();

        var backend = Assert.IsType<RedisTaskBackend>(provider.GetRequiredService<ITaskBackendProvider>().Get("main"));
        var o = backend.Options;
        Assert.Equal(prefix, backend.Prefix);
        Assert.Equal(TimeSpan.FromSeconds(7), o.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), o.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromDays(1), o.ResultRetention);
        Assert.Equal(TimeSpan.FromSeconds(3), o.IdlePollInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(50), o.RunningStatusDelay);
        Assert.Equal(50, o.DeadLetterMaxLength);
        Assert.Equal(200, o.EnqueueBatchSize);
        Assert.Equal(0, o.Database);

        var hosted = provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToArray();
        foreach (var h in hosted)
        {
            await h.StartAsync(CancellationToken.None);
        }

        var queue = provider.GetRequiredService<ITaskQueue>();
        var result = await queue.WaitAsync((await queue.EnqueueAsync(new RecordArgs("configured"))).Id, TimeSpan.FromSeconds(20));
        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal("main", result.Backend);
        foreach (var h in hosted)
        {
            await h.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Connection_string_can_come_from_ConnectionStrings_and_bad_values_are_reported_without_secrets()
    {
        var prefix = NewPrefix("config2");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = RedisTestServer.ConnectionString,
            ["Tasks:DefaultBackend"] = "main",
            ["Tasks:Backends:main:Type"] = "Redis",
            ["Tasks:Backends:main:ConnectionStringName"] = "cache",
            ["Tasks:Backends:main:Prefix"] = prefix,
            ["Tasks:Backends:bad:Type"] = "Redis",
            ["Tasks:Backends:bad:ConnectionString"] = "localhost:6379,password=TopSecret-123",
            ["Tasks:Backends:bad:VisibilityTimeout"] = "soon",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(new Tasks.Conformance.ConformanceProbe());
        services.AddTasks(tasks => tasks.AddConformanceTasks().AddRedisBackendType());
        await using var provider = services.BuildServiceProvider();
        var backends = provider.GetRequiredService<ITaskBackendProvider>();

        var queue = provider.GetRequiredService<ITaskQueue>().With(backend: "main");
        var enqueued = await queue.EnqueueAsync(new RecordArgs("from ConnectionStrings"));
        Assert.Equal(TaskResultStatus.Ready, (await queue.GetResultAsync(enqueued.Id)).Status);

        var ex = Assert.Throws<TaskConfigurationException>(() => backends.Get("bad"));
        Assert.Contains("bad", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("TopSecret-123", ex.ToString(), StringComparison.Ordinal);
    }
}
