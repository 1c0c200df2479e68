using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tasks.Conformance;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>Backends and workers from configuration (Tasks:Backends:&lt;alias&gt;:Type = Hangfire), and typed errors.</summary>
public sealed class ConfigurationTests(PostgreSqlSchemaFixture pg) : IClassFixture<PostgreSqlSchemaFixture>
{
    [Fact]
    public void Options_bind_from_configuration()
    {
        var section = Section(new()
        {
            ["Tasks:Backends:main:Type"] = "Hangfire",
            ["Tasks:Backends:main:Storage"] = "PostgreSql",
            ["Tasks:Backends:main:ConnectionString"] = "Host=db;Database=app",
            ["Tasks:Backends:main:Schema"] = "jobs",
            ["Tasks:Backends:main:QueuePrefix"] = "t_",
            ["Tasks:Backends:main:QueuePollInterval"] = "00:00:00.250",
            ["Tasks:Backends:main:InvisibilityTimeout"] = "00:02:00",
            ["Tasks:Backends:main:SchedulePollingInterval"] = "00:00:02",
            ["Tasks:Backends:main:ResultExpiration"] = "7.00:00:00",
            ["Tasks:Backends:main:WorkerCount"] = "7",
            ["Tasks:Backends:main:EnableLongPolling"] = "true",
            ["Tasks:Backends:main:CaptureCulture"] = "true",
        }).GetSection("Tasks:Backends:main");

        var o = HangfireTasksBuilderExtensions.Bind(section);

        Assert.Equal(HangfireStorageKind.PostgreSql, o.Storage);
        Assert.Equal("Host=db;Database=app", o.ConnectionString);
        Assert.Equal("jobs", o.Schema);
        Assert.Equal("t_", o.QueuePrefix);
        Assert.Equal(TimeSpan.FromMilliseconds(250), o.QueuePollInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), o.InvisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), o.SchedulePollingInterval);
        Assert.Equal(TimeSpan.FromDays(7), o.ResultExpiration);
        Assert.Equal(7, o.WorkerCount);
        Assert.True(o.EnableLongPolling);
        Assert.True(o.CaptureCulture);
    }

    [Fact]
    public async Task PostgreSql_backend_and_worker_from_configuration_run_a_task()
    {
        await using var provider = Build(new()
        {
            ["Tasks:Backends:main:Type"] = "Hangfire",
            ["Tasks:Backends:main:Storage"] = "PostgreSql",
            ["Tasks:Backends:main:ConnectionString"] = pg.ConnectionString,
            ["Tasks:Backends:main:Schema"] = pg.Schema,
            ["Tasks:Backends:main:QueuePollInterval"] = "00:00:00.100",
            ["Tasks:Backends:main:WorkerCount"] = "3",
            ["Tasks:Workers:0:Backend"] = "main",
            ["Tasks:Workers:0:Queues"] = "default,reports",
            ["Tasks:Workers:0:WorkerId"] = "cfg-worker",
        });
        var backend = Assert.IsType<HangfireTaskBackend>(provider.GetRequiredService<ITaskBackendProvider>().Get("main"));
        var hosted = provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToArray();
        foreach (var h in hosted)
        {
            await h.StartAsync(CancellationToken.None);
        }

        try
        {
            var queue = provider.GetRequiredService<ITaskQueue>();
            var r = await queue.EnqueueAsync(new RecordArgs("from config"));
            var done = await queue.WaitAsync(r.Id, TimeSpan.FromSeconds(20));
            Assert.Equal(TaskResultStatus.Succeeded, done.Status);
            Assert.Equal("cfg-worker", Assert.Single(done.WorkerIds));

            var server = Assert.Single(backend.JobStorage.GetMonitoringApi().Servers(), s => s.Name.StartsWith("cfg-worker", StringComparison.Ordinal));
            Assert.Equal(3, server.WorkersCount); // WorkerCount wins over the worker's Concurrency
            Assert.Equal(HangfireQueueNames.ListenOrder("tasks_", ["default", "reports"]), server.Queues);
        }
        finally
        {
            foreach (var h in hosted)
            {
                await h.StopAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task InMemory_backend_from_configuration_runs_a_task()
    {
        await using var provider = Build(new()
        {
            ["Tasks:Backends:main:Type"] = "Hangfire",
            ["Tasks:Backends:main:Storage"] = "InMemory",
        });
        var worker = provider.GetRequiredService<ITaskBackendProvider>().CreateWorker(new TaskWorkerOptions { Backend = "main", Concurrency = 1 });
        await worker.StartAsync();
        try
        {
            var queue = provider.GetRequiredService<ITaskQueue>();
            var r = await queue.EnqueueAsync(new RecordArgs("embedded"));
            Assert.Equal(TaskResultStatus.Succeeded, (await queue.WaitAsync(r.Id, TimeSpan.FromSeconds(20))).Status);
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("ConnectionString", null)]
    [InlineData("Storage", "Redis")]
    [InlineData("WorkerCount", "many")]
    [InlineData("Schema", "bad-schema")]
    [InlineData("QueuePollInterval", "00:00:00.010")]
    public async Task Invalid_settings_are_configuration_errors(string key, string? value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tasks:Backends:main:Type"] = "Hangfire",
            ["Tasks:Backends:main:ConnectionString"] = "Host=db",
            [$"Tasks:Backends:main:{key}"] = value,
        };
        await using var provider = Build(settings);
        var backends = provider.GetRequiredService<ITaskBackendProvider>();
        var ex = Assert.ThrowsAny<Exception>(() => backends.Get("main"));
        Assert.True(ex is TaskConfigurationException || ex.InnerException is TaskConfigurationException, ex.ToString());
    }

    [Fact]
    public async Task Unreachable_postgresql_gives_typed_unavailable_errors()
    {
        await using var host = new TestHost(o =>
        {
            o.ConnectionString = "Host=127.0.0.1;Port=1;Username=postgres;Database=tasks;Timeout=2";
            o.Schema = "tasks_unreachable";
        });
        var ex = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => host.Queue.EnqueueAsync(new RecordArgs("x")));
        Assert.Equal(TestHost.Alias, ex.Backend);
        Assert.DoesNotContain("Password", ex.Message, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => host.Queue.GetResultAsync(Guid.NewGuid().ToString()));
        await Assert.ThrowsAsync<TaskBackendUnavailableException>(async () => await host.Backend.ListPendingAsync().GetAsyncEnumerator().MoveNextAsync());
        await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => host.Backend.RemovePendingAsync(Guid.NewGuid().ToString()));
    }

    private static IConfiguration Section(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(Section(values));
        services.AddSingleton(new ConformanceProbe());
        services.AddTasks(t => t.AddConformanceTasks().AddHangfireBackendType());
        return services.BuildServiceProvider();
    }
}
