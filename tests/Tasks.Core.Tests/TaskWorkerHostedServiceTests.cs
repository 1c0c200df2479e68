using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary>The hosted service that starts workers from <c>AddWorker</c> and <c>Tasks:Workers</c> configuration.</summary>
public sealed class TaskWorkerHostedServiceTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static IHostedService HostedService(TestHost host) => Assert.Single(host.Services.GetServices<IHostedService>());

    [Fact]
    public async Task Configured_workers_start_with_their_backend_queues_and_ids()
    {
        var config = Config(
            ("Tasks:Backends:mem:Type", "InMemory"),
            ("Tasks:Workers:arrays:Backend", "mem"),
            ("Tasks:Workers:arrays:Queues:0", "a"),
            ("Tasks:Workers:arrays:Queues:1", "b"),
            ("Tasks:Workers:arrays:Concurrency", "2"),
            ("Tasks:Workers:arrays:WorkerId", "worker-ab"),
            ("Tasks:Workers:comma:Queues", " c , d "),
            ("Tasks:Workers:comma:Concurrency", "1"),
            ("Tasks:Workers:comma:WorkerId", "worker-cd"),
            ("Tasks:Workers:comma:ShutdownTimeout", "00:00:05"));
        await using var host = TestHost.Create(t => t.AddTask<Work, WorkHandler>("work"), s => s.AddSingleton(config));
        var hosted = HostedService(host);

        await hosted.StartAsync(CancellationToken.None);
        try
        {
            var byQueue = new Dictionary<string, TaskResult>();
            foreach (var queue in new[] { "a", "b", "c", "d" })
            {
                byQueue[queue] = await host.WaitAsync((await host.Queue.With(queue: queue).EnqueueAsync(new Work(queue))).Id);
            }

            var unserved = await host.Queue.With(queue: "e").EnqueueAsync(new Work("e"));

            Assert.All(byQueue.Values, r => Assert.Equal(TaskResultStatus.Succeeded, r.Status));
            Assert.Equal(["worker-ab"], byQueue["a"].WorkerIds);
            Assert.Equal(["worker-ab"], byQueue["b"].WorkerIds);
            Assert.Equal(["worker-cd"], byQueue["c"].WorkerIds);
            Assert.Equal(["worker-cd"], byQueue["d"].WorkerIds);
            Assert.Equal(TaskResultStatus.Ready, (await host.Queue.GetResultAsync(unserved.Id)).Status);
        }
        finally
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Configured_concurrency_runs_that_many_tasks_at_once()
    {
        var config = Config(("Tasks:Workers:pair:Queues", "default"), ("Tasks:Workers:pair:Concurrency", "2"));
        await using var host = TestHost.Create(t => t.AddTask<Work, WorkHandler>("work"), s => s.AddSingleton(config));
        var started = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Probe.Behaviour = async (_, _, _) =>
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                both.TrySetResult();
            }

            await both.Task; // finishes only when two run at once
        };
        var hosted = HostedService(host);

        await hosted.StartAsync(CancellationToken.None);
        try
        {
            var results = await host.Queue.EnqueueManyAsync([new Work("1"), new Work("2")]);
            foreach (var r in results)
            {
                Assert.Equal(TaskResultStatus.Succeeded, (await host.WaitAsync(r.Id)).Status);
            }
        }
        finally
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Workers_added_in_code_start_and_stop_with_the_host()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddTask<Work, WorkHandler>("work");
            t.AddWorker(o =>
            {
                o.WorkerId = "coded";
                o.Concurrency = 1;
            });
        });
        var hosted = HostedService(host);

        await hosted.StartAsync(CancellationToken.None);
        var done = await host.WaitAsync((await host.Queue.EnqueueAsync(new Work("x"))).Id);
        await hosted.StopAsync(CancellationToken.None);
        var after = await host.Queue.EnqueueAsync(new Work("after-stop"));
        await Task.Delay(50);

        Assert.Equal(["coded"], done.WorkerIds);
        Assert.Equal(TaskResultStatus.Ready, (await host.Queue.GetResultAsync(after.Id)).Status);
        Assert.Equal(1, host.Backend<InMemoryTaskBackend>().PendingCount);
    }

    [Fact]
    public async Task No_workers_configured_starts_none()
    {
        await using var host = TestHost.Create(t => t.AddTask<Work, WorkHandler>("work"));
        var hosted = HostedService(host);

        await hosted.StartAsync(CancellationToken.None);
        var ready = await host.Queue.EnqueueAsync(new Work("x"));
        await Task.Delay(50);
        await hosted.StopAsync(CancellationToken.None);

        Assert.Equal(TaskResultStatus.Ready, (await host.Queue.GetResultAsync(ready.Id)).Status);
    }

    [Fact]
    public async Task A_bad_configured_value_is_a_configuration_error_naming_the_path()
    {
        var config = Config(("Tasks:Workers:w:Concurrency", "many"));
        await using var host = TestHost.Create(t => t.AddTask<Work, WorkHandler>("work"), s => s.AddSingleton(config));

        var ex = await Assert.ThrowsAsync<TaskConfigurationException>(() => HostedService(host).StartAsync(CancellationToken.None));

        Assert.Equal("Configuration value 'Tasks:Workers:w:Concurrency' = 'many' is not an integer.", ex.Message);
    }

    [Fact]
    public async Task A_worker_for_a_backend_that_cannot_run_workers_fails_to_start()
    {
        var config = Config(("Tasks:Backends:rec:Type", "Recording"), ("Tasks:Workers:w:Backend", "rec"));
        await using var host = TestHost.Create(t => t.AddTask<Work, WorkHandler>("work"), s => s.AddSingleton(config));

        var ex = await Assert.ThrowsAsync<TaskNotSupportedException>(() => HostedService(host).StartAsync(CancellationToken.None));

        Assert.Equal("rec", ex.Backend);
    }
}
