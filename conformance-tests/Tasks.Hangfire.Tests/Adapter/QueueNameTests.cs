using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>Queue names map 1:1 onto Hangfire's [a-z0-9_-]; anything else is refused with a clear error, never renamed.</summary>
public sealed class QueueNameTests
{
    [Theory]
    [InlineData(100, 1)]
    [InlineData(51, 1)]
    [InlineData(50, 2)]
    [InlineData(1, 2)]
    [InlineData(0, 3)]
    [InlineData(-1, 4)]
    [InlineData(-50, 4)]
    [InlineData(-51, 5)]
    [InlineData(-100, 5)]
    public void Priority_band_boundaries(int priority, int band) => Assert.Equal(band, HangfireQueueNames.GetBand(priority));

    [Fact]
    public void Priorities_of_the_conformance_backlog_land_in_distinct_bands() =>
        Assert.Equal(5, new[] { 100, 10, 0, -5, -100 }.Select(HangfireQueueNames.GetBand).Distinct().Count());

    [Fact]
    public void Hangfire_queue_names_put_the_band_first_so_workers_and_postgresql_order_agree()
    {
        Assert.Equal("tasks_p3_emails", HangfireQueueNames.ToHangfireQueue("tasks_", "emails", 3));
        var order = HangfireQueueNames.ListenOrder("tasks_", ["b-q", "a_q"]);
        Assert.Equal(["tasks_p1_b-q", "tasks_p1_a_q", "tasks_p2_b-q", "tasks_p2_a_q", "tasks_p3_b-q", "tasks_p3_a_q", "tasks_p4_b-q", "tasks_p4_a_q", "tasks_p5_b-q", "tasks_p5_a_q"], order);

        // Hangfire.PostgreSql fetches by queue name ascending: band order must equal name order.
        Assert.Equal(order.Select(q => q[..8]), order.OrderBy(q => q, StringComparer.Ordinal).Select(q => q[..8]));
        Assert.True(string.CompareOrdinal("tasks_p1_zzz", "tasks_p2_aaa") < 0);
    }

    [Theory]
    [InlineData("Emails")]
    [InlineData("emails.eu")]
    [InlineData("EU-west")]
    public async Task Names_hangfire_cannot_hold_are_refused_at_enqueue_naming_backend_and_option(string queue)
    {
        await using var host = new TestHost(TestHost.InMemory);
        var ex = await Assert.ThrowsAnyAsync<InvalidTaskException>(() => host.Queue.With(queue: queue).EnqueueAsync(new RecordArgs("x")));
        Assert.Equal("Queue", ex.Option);
        Assert.Equal(TestHost.Alias, ex.Backend);
        Assert.Contains("Hangfire", ex.Message, StringComparison.Ordinal);
        Assert.Contains(queue, ex.Message, StringComparison.Ordinal);
        Assert.Contains(queue.ToLowerInvariant().Replace('.', '_'), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_hangfire_cannot_hold_are_refused_for_workers()
    {
        await using var host = new TestHost(TestHost.InMemory);
        var ex = await Assert.ThrowsAnyAsync<InvalidTaskException>(() => host.StartWorkerAsync(o => o.Queues = ["Reports"]));
        Assert.Equal("Queue", ex.Option);
    }

    [Fact]
    public async Task Dash_and_underscore_names_map_one_to_one_and_run()
    {
        await using var host = new TestHost(TestHost.InMemory);
        await host.StartWorkerAsync(o => o.Queues = ["conf-x_1"]);
        var r = await host.Queue.With(queue: "conf-x_1", priority: 20).EnqueueAsync(new RecordArgs("dash"));
        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.WaitAsync(r.Id, TimeSpan.FromSeconds(20))).Status);
        var details = host.Backend.JobStorage.GetMonitoringApi().JobDetails(r.EngineId);
        Assert.Equal("tasks_p2_conf-x_1", details.Job.Queue);
    }

    [Theory]
    [InlineData("Tasks_")]
    [InlineData("tasks.")]
    public void Invalid_prefix_is_a_configuration_error(string prefix) =>
        Assert.Throws<TaskConfigurationException>(() => new HangfireTaskBackend("hf", new HangfireTaskBackendOptions { Storage = HangfireStorageKind.InMemory, QueuePrefix = prefix }));
}
