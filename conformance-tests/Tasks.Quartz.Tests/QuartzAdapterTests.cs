using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Tasks.Conformance;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Quartz.Tests;

/// <summary>Quartz-specific behaviour: storage format, schema set-up, configuration, errors, misfire-proof ordering.</summary>
public sealed class QuartzAdapterTests(QuartzAdoFixture fixture) : IClassFixture<QuartzAdoFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        fixture.Probe.Clear();
        await fixture.ResetAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Arguments_are_stored_as_json_text_not_binary_serialization()
    {
        await using var host = fixture.CreateHost("app");
        var enqueued = await host.Queue.EnqueueAsync(new RecordArgs("json-marker Zoë ✓"));

        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand($"SELECT job_data, job_class_name FROM {fixture.Settings.TablePrefix}job_details WHERE sched_name = @s AND job_name = @j", conn);
        cmd.Parameters.AddWithValue("s", fixture.Settings.SchedulerName);
        cmd.Parameters.AddWithValue("j", enqueued.Id);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "the task's Quartz job row exists");
        var bytes = (byte[])reader.GetValue(0);

        // UTF-8 JSON text: no NUL bytes (binary formatters write them), and it parses.
        Assert.DoesNotContain((byte)0, bytes);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        using var doc = JsonDocument.Parse(text);
        var envelopeJson = doc.RootElement.GetProperty("tasks.envelope").GetString()!;

        // Written with minimal escaping: the envelope's own quotes are \", not \u0022, so the stored data is about the
        // envelope's size (QuartzJobDataSerializer; Quartz's default encoder stores about 1.5 times it).
        Assert.StartsWith("{\"tasks.envelope\":\"{\\\"id\\\":", text, StringComparison.Ordinal);
        Assert.True(bytes.Length < Encoding.UTF8.GetByteCount(envelopeJson) * 1.35, $"{bytes.Length} bytes stored for an envelope of {Encoding.UTF8.GetByteCount(envelopeJson)}");
        var envelope = TaskJson.DeserializeEnvelope(envelopeJson);
        Assert.Equal(enqueued.Id, envelope.Id);
        Assert.Equal("json-marker Zoë ✓", JsonDocument.Parse(envelope.Arguments).RootElement.GetProperty("label").GetString());
    }

    [Fact]
    public async Task Schema_creation_is_idempotent_and_safe_when_run_concurrently()
    {
        var prefix = $"s{Guid.NewGuid().ToString("N")[..8]}_qrtz_";
        var script = QuartzSchema.GetCreateScript(prefix);
        Assert.DoesNotContain("{0}", script, StringComparison.Ordinal);
        Assert.DoesNotContain("{1}", script, StringComparison.Ordinal);
        var tablesInScript = script.Split("CREATE TABLE IF NOT EXISTS", StringSplitOptions.None).Length - 1;
        try
        {
            // Several processes starting at once, then a restart.
            await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => QuartzSchema.EnsureCreatedAsync(fixture.DataSource, prefix)));
            var statements = await QuartzSchema.EnsureCreatedAsync(fixture.DataSource, prefix);
            Assert.True(statements > tablesInScript, "tables and indexes are created");
            Assert.Equal(tablesInScript, await CountTablesAsync(prefix));
        }
        finally
        {
            await new QuartzTestDatabase.Settings(prefix, "unused", "unused").DropAsync(fixture.DataSource);
        }
    }

    [Fact]
    public void Invalid_table_prefix_is_refused()
    {
        Assert.Throws<TaskConfigurationException>(() => QuartzSchema.GetCreateScript("qrtz; DROP TABLE x; --"));
        Assert.Throws<TaskConfigurationException>(() => new QuartzTaskBackend("bad", new QuartzTaskBackendOptions { JobStore = QuartzJobStoreKind.AdoNet, ConnectionString = "Host=x", TablePrefix = "bad-prefix" }));
    }

    [Fact]
    public async Task Configuration_binds_every_option()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tasks:DefaultBackend"] = "main",
            ["Tasks:Backends:main:Type"] = "Quartz",
            ["Tasks:Backends:main:JobStore"] = "AdoNet",
            ["Tasks:Backends:main:ConnectionString"] = "Host=127.0.0.1;Port=5441;Username=postgres;Database=tasks",
            ["Tasks:Backends:main:TablePrefix"] = "app_qrtz_",
            ["Tasks:Backends:main:SchedulerName"] = "app-tasks",
            ["Tasks:Backends:main:Clustered"] = "false",
            ["Tasks:Backends:main:CheckinInterval"] = "00:00:02",
            ["Tasks:Backends:main:CheckinMisfireThreshold"] = "00:00:03",
            ["Tasks:Backends:main:PollInterval"] = "00:00:04",
            ["Tasks:Backends:main:MisfireThreshold"] = "00:00:05",
            ["Tasks:Backends:main:RunningStatusDelay"] = "00:00:00.750",
            ["Tasks:Backends:main:ThreadCount"] = "3",
            ["Tasks:Backends:main:CreateSchema"] = "false",
            ["Tasks:Backends:main:ResultsSchema"] = "app",
            ["Tasks:Backends:main:ResultsTable"] = "results",
            ["Tasks:Backends:main:ResultsRetention"] = "2.00:00:00",
            ["Tasks:Backends:mem:Type"] = "quartz",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddTasks(t => t.AddQuartzBackendType());
        await using var provider = services.BuildServiceProvider();
        var backends = provider.GetRequiredService<ITaskBackendProvider>();

        var main = Assert.IsType<QuartzTaskBackend>(backends.Get("main"));
        var o = main.Options;
        Assert.Equal(QuartzJobStoreKind.AdoNet, o.JobStore);
        Assert.Equal("app_qrtz_", o.TablePrefix);
        Assert.Equal("app-tasks", main.SchedulerName);
        Assert.False(o.Clustered);
        Assert.Equal(TimeSpan.FromSeconds(2), o.CheckinInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), o.CheckinMisfireThreshold);
        Assert.Equal(TimeSpan.FromSeconds(4), o.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), o.MisfireThreshold);
        Assert.Equal(TimeSpan.FromMilliseconds(750), o.RunningStatusDelay);
        Assert.Equal(3, o.ThreadCount);
        Assert.False(o.CreateSchema);
        Assert.Equal("app", o.ResultsSchema);
        Assert.Equal("results", o.ResultsTable);
        Assert.Equal(TimeSpan.FromDays(2), o.ResultsRetention);

        var mem = Assert.IsType<QuartzTaskBackend>(backends.Get("mem"));
        Assert.Equal(QuartzJobStoreKind.Ram, mem.Options.JobStore);
        Assert.Equal("tasks-mem", mem.SchedulerName);
    }

    [Theory]
    [InlineData("JobStore", "AdoNet")] // and no connection string
    [InlineData("ThreadCount", "lots")]
    [InlineData("PollInterval", "00:00:00.100")] // below Quartz's 1 s minimum
    [InlineData("JobStore", "Mongo")]
    [InlineData("RunningStatusDelay", "-00:00:01")]
    public async Task Invalid_configuration_gives_a_typed_error(string key, string value)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tasks:Backends:main:Type"] = "Quartz",
            [$"Tasks:Backends:main:{key}"] = value,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddTasks(t => t.AddQuartzBackendType());
        await using var provider = services.BuildServiceProvider();

        Assert.Throws<TaskConfigurationException>(() => provider.GetRequiredService<ITaskBackendProvider>().Get("main"));
    }

    [Fact]
    public void A_database_failure_after_the_caller_cancelled_is_the_cancellation_not_an_unavailable_backend()
    {
        // What Npgsql throws when the server does not acknowledge a cancel in time: a broken read, not a cancellation.
        var broken = new Npgsql.NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt"));
        Assert.IsType<TaskBackendUnavailableException>(QuartzErrors.Translate("q", "qrtz_", "listing pending tasks", broken));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var typed = Assert.IsType<OperationCanceledException>(QuartzErrors.Translate("q", "qrtz_", "listing pending tasks", broken, cancelled.Token));
        Assert.Equal(cancelled.Token, typed.CancellationToken);
        Assert.Same(broken, typed.InnerException);
        Assert.Null(QuartzErrors.Translate("q", "qrtz_", "listing pending tasks", new OperationCanceledException(cancelled.Token), cancelled.Token));
    }

    [Fact]
    public async Task Unreachable_postgresql_at_enqueue_gives_typed_error_naming_the_backend()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new ConformanceProbe());
        services.AddTasks(t => t.AddConformanceTasks().AddQuartzBackend("down", o =>
        {
            o.JobStore = QuartzJobStoreKind.AdoNet;
            o.ConnectionString = "Host=127.0.0.1;Port=1;Username=postgres;Database=tasks;Timeout=3";
        }).UseDefaultBackend("down"));
        await using var provider = services.BuildServiceProvider();
        var queue = provider.GetRequiredService<ITaskQueue>();

        var ex = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => queue.EnqueueAsync(new RecordArgs("never")));
        Assert.Equal("down", ex.Backend);
        var bulk = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => queue.EnqueueManyAsync([new RecordArgs("a"), new RecordArgs("b")]));
        Assert.Equal("down", bulk.Backend);
    }

    [Fact]
    public async Task Workers_are_quartz_schedulers_started_as_hosted_services()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(fixture.Probe);
        builder.Services.AddTasks(t => t
            .AddConformanceTasks()
            .AddQuartzBackend("hosted", fixture.Settings.Apply)
            .UseDefaultBackend("hosted")
            .AddWorker(w => { w.Backend = "hosted"; w.WorkerId = "hosted-worker"; w.Concurrency = 2; }));
        using var app = builder.Build();
        await app.StartAsync();
        try
        {
            var queue = app.Services.GetRequiredService<ITaskQueue>();
            var result = await queue.WaitAsync((await queue.EnqueueAsync(new RecordArgs("hosted"))).Id, TimeSpan.FromSeconds(30));
            Assert.Equal(TaskResultStatus.Succeeded, result.Status);
            Assert.Equal("hosted-worker", Assert.Single(result.WorkerIds));

            // The worker is a started node of the Quartz cluster.
            await using var conn = await fixture.DataSource.OpenConnectionAsync();
            await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {fixture.Settings.TablePrefix}scheduler_state WHERE sched_name = @s AND instance_name LIKE 'hosted-worker#%'", conn);
            cmd.Parameters.AddWithValue("s", fixture.Settings.SchedulerName);
            Assert.Equal(1L, Convert.ToInt64(await cmd.ExecuteScalarAsync()));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Missing_quartz_tables_without_CreateSchema_give_a_configuration_error_and_enqueue_nothing()
    {
        var settings = QuartzTestDatabase.NewSettings();
        var services = new ServiceCollection();
        services.AddSingleton(new ConformanceProbe());
        services.AddTasks(t => t.AddConformanceTasks().AddQuartzBackend("noschema", o =>
        {
            settings.Apply(o);
            o.CreateSchema = false;
        }).UseDefaultBackend("noschema"));
        await using var provider = services.BuildServiceProvider();
        try
        {
            var ex = await Assert.ThrowsAsync<TaskConfigurationException>(() => provider.GetRequiredService<ITaskQueue>().EnqueueAsync(new RecordArgs("x")));
            Assert.Contains("GetCreateScript", ex.Message, StringComparison.Ordinal);
            await using var conn = await fixture.DataSource.OpenConnectionAsync();
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {QuartzTestDatabase.Settings.ResultsSchema}.{settings.ResultsTable}", conn);
            Assert.Equal(0L, Convert.ToInt64(await count.ExecuteScalarAsync()));
        }
        finally
        {
            await settings.DropAsync(fixture.DataSource);
        }
    }

    [Fact]
    public async Task Backlog_older_than_the_misfire_threshold_keeps_priority_and_fifo_order()
    {
        // The fixture's misfire threshold is 1 s: wait well past it, so Quartz's misfire handler has seen the backlog.
        await using var host = fixture.CreateHost("app");
        (string Label, int Priority)[] backlog = [("a", 0), ("b", 10), ("c", -5), ("d", 10), ("e", 100), ("f", 0), ("g", -100), ("h", 10), ("i", 0)];
        var ids = new List<string>();
        foreach (var (label, priority) in backlog)
        {
            ids.Add((await host.Queue.With(priority: priority).EnqueueAsync(new RecordArgs(label))).Id);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        await host.StartWorkerAsync(o => o.Concurrency = 1);
        foreach (var id in ids)
        {
            await host.Queue.WaitAsync(id, TimeSpan.FromSeconds(30));
        }

        Assert.Equal("ebdhaficg", string.Concat(fixture.Probe.Executions.Select(e => e.Label)));
    }

    [Fact]
    public void Fire_times_order_priority_first_then_fifo_and_respect_run_after()
    {
        var t0 = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var highLate = QuartzTaskMapping.FireTime(100, null, t0.AddDays(365));
        var highEarly = QuartzTaskMapping.FireTime(100, null, t0);
        var low = QuartzTaskMapping.FireTime(-100, null, t0.AddDays(-365));
        var mid = QuartzTaskMapping.FireTime(0, null, t0);
        Assert.True(highEarly < highLate, "FIFO within a priority");
        Assert.True(highLate < mid && mid < low, "a higher priority fires first even when enqueued a year later");
        Assert.Equal(t0.AddTicks(1), QuartzTaskMapping.FireTime(-100, null, t0.AddTicks(1)));
        var runAfter = t0.AddMinutes(5);
        Assert.Equal(runAfter, QuartzTaskMapping.FireTime(100, runAfter, t0));
    }

    private async Task<int> CountTablesAsync(string prefix)
    {
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE @p", conn);
        cmd.Parameters.AddWithValue("p", prefix.Replace("_", "\\_", StringComparison.Ordinal) + "%");
        return Convert.ToInt32(await cmd.ExecuteScalarAsync());
    }
}
