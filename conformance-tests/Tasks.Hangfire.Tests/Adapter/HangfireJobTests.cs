using System.Collections.Concurrent;
using System.Globalization;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Hangfire.Storage.Monitoring;
using Tasks.Conformance;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>What a Hangfire user sees of Tasks jobs, and that Hangfire's retries never add attempts; on both storages.</summary>
public sealed class HangfireJobTests(PostgreSqlSchemaFixture pg) : IClassFixture<PostgreSqlSchemaFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Storages => new() { "InMemory", "PostgreSql" };

    public static TheoryData<string, bool> StoragesAndCulture => new() { { "InMemory", false }, { "InMemory", true }, { "PostgreSql", false }, { "PostgreSql", true } };

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task Failing_task_runs_once_even_with_a_global_automatic_retry_filter(string storage)
    {
        // An app-wide AutomaticRetry with a high order, next to Hangfire's own default one (10 attempts).
        var filters = new JobFilterCollection { { new AutomaticRetryAttribute { Attempts = 5, DelaysInSeconds = [0] }, 100 } };
        var providers = new JobFilterProviderCollection(JobFilterProviders.Providers, filters);
        await using var host = new TestHost(o => { Configure(storage, o); o.FilterProvider = providers; });
        await host.StartWorkerAsync();

        var failing = await host.Queue.EnqueueAsync(ConformanceTaskNames.FailOnce, new FailArgs("boom", 100));
        var result = await host.Queue.WaitAsync(failing.Id, Wait);
        await Task.Delay(1500); // time for a Hangfire retry, if one were (wrongly) scheduled

        Assert.Equal(TaskResultStatus.Failed, result.Status);
        Assert.Equal(1, result.Attempts);
        Assert.Single(host.Probe.ExecutionsOf(failing.Id));
        var history = await FinalHistoryAsync(host, result.EngineId!);
        Assert.Equal(FailedState.StateName, history[0].StateName);
        Assert.DoesNotContain(history, h => h.StateName == ScheduledState.StateName);
        Assert.Contains(typeof(HangfireTaskFailedException).FullName!, history[0].Data["ExceptionType"], StringComparison.Ordinal);
        Assert.Contains("boom", history[0].Data["ExceptionMessage"], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task Retries_are_the_pipelines_and_show_as_scheduled_states_of_the_same_job(string storage)
    {
        await using var host = new TestHost(o => Configure(storage, o));
        await host.StartWorkerAsync();

        var r = await host.Queue.EnqueueAsync(ConformanceTaskNames.Retry, new FailArgs("again", 100));
        var result = await host.Queue.WaitAsync(r.Id, Wait);

        Assert.Equal(ConformanceTaskNames.RetryAttempts, result.Attempts);
        Assert.Equal(ConformanceTaskNames.RetryAttempts, host.Probe.ExecutionsOf(r.Id).Count);

        // The result is written inside the job; Hangfire records the job's Failed state after the job returns.
        var history = await FinalHistoryAsync(host, result.EngineId!);
        Assert.Equal(ConformanceTaskNames.RetryAttempts - 1, history.Count(h => h.StateName == ScheduledState.StateName && h.Reason.StartsWith("Tasks retry", StringComparison.Ordinal)));
        Assert.Equal(FailedState.StateName, history[0].StateName);
    }

    private static async Task<IList<StateHistoryDto>> FinalHistoryAsync(TestHost host, string jobId)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var history = host.Backend.JobStorage.GetMonitoringApi().JobDetails(jobId).History;
            if ((history.Count > 0 && history[0].StateName != ProcessingState.StateName) || DateTime.UtcNow > deadline)
            {
                return history;
            }

            await Task.Delay(50);
        }
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task Job_shows_task_name_queue_and_plain_string_arguments(string storage)
    {
        await using var host = new TestHost(o => Configure(storage, o));
        var r = await host.Queue.With(priority: 60).EnqueueAsync(new RecordArgs("shown"));

        JobDetailsDto details = host.Backend.JobStorage.GetMonitoringApi().JobDetails(r.EngineId);
        var job = details.Job;
        Assert.Equal(typeof(TasksJob), job.Type);
        Assert.Equal("tasks_p1_default", job.Queue);

        // The dashboard's job name: JobDisplayName("{0}") formatted with the arguments.
        var display = Assert.IsType<JobDisplayNameAttribute>(Attribute.GetCustomAttribute(job.Method, typeof(JobDisplayNameAttribute)));
        Assert.Equal(ConformanceTaskNames.Record, display.Format(null!, job));

        Assert.Equal(ConformanceTaskNames.Record, Assert.IsType<string>(job.Args[0]));
        Assert.Equal(r.Id, Assert.IsType<string>(job.Args[1]));
        Assert.Equal("{\"label\":\"shown\"}", Assert.IsType<string>(job.Args[2]));
        Assert.Equal(4, job.Args.Count);

        // The envelope argument leaves out what the other arguments hold: Hangfire stores each argument twice.
        var envelope = TaskJson.DeserializeEnvelope(Assert.IsType<string>(job.Args[3]));
        Assert.Equal((string.Empty, string.Empty, string.Empty), (envelope.Id, envelope.TaskName, envelope.Arguments));
        Assert.Equal(60, envelope.Priority);
        Assert.Equal(EnqueuedState.StateName, details.History[0].StateName);
        Assert.Equal("tasks_p1_default", details.History[0].Data["Queue"]);

        // What the storage holds: an array of JSON strings, no type-named objects.
        var stored = InvocationData.SerializeJob(job);
        Assert.DoesNotContain("$type", stored.Arguments, StringComparison.Ordinal);
        Assert.StartsWith("[\"\\\"conformance.record\\\"\"", stored.Arguments, StringComparison.Ordinal);
        if (storage == "PostgreSql")
        {
            var raw = await TestServers.ScalarAsync<string>(pg.ConnectionString, $"SELECT \"arguments\"::text || \"invocationdata\"::text FROM \"{pg.Schema}\".\"job\" WHERE \"id\" = {long.Parse(r.EngineId!)}");
            Assert.NotNull(raw);
            Assert.DoesNotContain("$type", raw, StringComparison.Ordinal);
            Assert.Contains("conformance.record", raw, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(StoragesAndCulture))]
    public async Task Enqueuers_culture_is_stored_and_used_only_with_CaptureCulture(string storage, bool capture)
    {
        await using var host = new TestHost(o => { Configure(storage, o); o.CaptureCulture = capture; });
        await host.StartWorkerAsync();
        var worker = CultureInfo.CurrentCulture.Name;
        var enqueuer = EnqueuerCulture.OtherThan(worker);

        var r = await EnqueuerCulture.RunAsync(enqueuer, () => host.Queue.EnqueueAsync(new RecordArgs("culture")));

        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.WaitAsync(r.Id, Wait)).Status);
        Assert.Equal(capture ? enqueuer : worker, Assert.Single(host.Probe.ExecutionsOf(r.Id)).Culture);

        // Hangfire's CaptureCulture filter keeps the culture in two job parameters; without it the job has none.
        var parameters = host.Backend.JobStorage.GetMonitoringApi().JobDetails(r.EngineId).Properties;
        Assert.Equal(capture ? enqueuer : null, parameters.TryGetValue("CurrentCulture", out var stored) ? stored.Trim('"') : null);
        Assert.Equal(capture, parameters.ContainsKey("CurrentUICulture"));
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task Cancel_deletes_the_hangfire_job(string storage)
    {
        await using var host = new TestHost(o => Configure(storage, o));
        var r = await host.Queue.Delay(TimeSpan.FromMinutes(5)).EnqueueAsync(new RecordArgs("never"));
        var monitoring = host.Backend.JobStorage.GetMonitoringApi();
        Assert.Equal(ScheduledState.StateName, monitoring.JobDetails(r.EngineId).History[0].StateName);

        Assert.True(await host.Queue.CancelAsync(r.Id));

        Assert.Equal(DeletedState.StateName, monitoring.JobDetails(r.EngineId).History[0].StateName);
        Assert.Equal(TaskResultStatus.Cancelled, (await host.Queue.GetResultAsync(r.Id)).Status);
    }

    [Fact]
    public async Task An_apps_own_hangfire_jobs_and_servers_coexist_with_tasks_on_one_storage()
    {
        await using var host = new TestHost(pg.Configure);
        var storage = host.Backend.JobStorage;

        // The app's own Hangfire: a plain job on "default" and its own server, as it had before adding Tasks.
        var appClient = new BackgroundJobClient(storage);
        var appJobId = appClient.Enqueue(() => AppJobs.Greet("app"));
        using var appServer = new BackgroundJobServer(new BackgroundJobServerOptions { ServerName = "app-server", Queues = ["default"], WorkerCount = 1, SchedulePollingInterval = TimeSpan.FromMilliseconds(200) }, storage);

        var task = await host.Queue.EnqueueAsync(new RecordArgs("tasks"));
        await Task.Delay(500);
        Assert.Equal(TaskResultStatus.Ready, (await host.Queue.GetResultAsync(task.Id)).Status); // the app's server does not take Tasks jobs

        await host.StartWorkerAsync(o => o.WorkerId = "tasks-worker");
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.WaitAsync(task.Id, Wait)).Status);
        var deadline = DateTime.UtcNow + Wait;
        while (storage.GetMonitoringApi().JobDetails(appJobId).History[0].StateName != SucceededState.StateName && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var appHistory = storage.GetMonitoringApi().JobDetails(appJobId).History;
        Assert.Equal(SucceededState.StateName, appHistory[0].StateName);
        Assert.StartsWith("app-server", appHistory.Single(h => h.StateName == ProcessingState.StateName).Data["ServerId"], StringComparison.Ordinal);
        Assert.Contains("app", AppJobs.Greeted);
        var taskHistory = storage.GetMonitoringApi().JobDetails(task.EngineId).History;
        Assert.StartsWith("tasks-worker", taskHistory.Single(h => h.StateName == ProcessingState.StateName).Data["ServerId"], StringComparison.Ordinal);
    }

    private void Configure(string storage, HangfireTaskBackendOptions o)
    {
        if (storage == "PostgreSql")
        {
            pg.Configure(o);
        }
        else
        {
            TestHost.InMemory(o);
        }
    }
}

/// <summary>A plain Hangfire job of "the app".</summary>
public static class AppJobs
{
    public static ConcurrentBag<string> Greeted { get; } = [];

    public static void Greet(string name) => Greeted.Add(name);
}
