using Microsoft.Extensions.DependencyInjection;
using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="ITaskQueue.With"/>, <see cref="ITaskQueue.RunAfter"/> and <see cref="ITaskQueue.Delay"/> return new values and never change a definition or the original queue.</summary>
public sealed class TaskQueueWithTests
{
    private static TestHost Host() => TestHost.Create(t =>
    {
        t.AddRecordingBackend("rec");
        t.AddRecordingBackend("other");
        t.UseDefaultBackend("rec");
        t.AddTask<Work, WorkHandler>("work", o =>
        {
            o.Queue = "def-queue";
            o.Priority = 7;
        });
    });

    [Fact]
    public async Task With_returns_a_new_queue_and_leaves_the_original_and_the_definition_unchanged()
    {
        await using var host = Host();
        var original = host.Queue;

        var changed = original.With(queue: "other-queue", priority: 50, runAfter: DateTimeOffset.UtcNow.AddHours(1), backend: "other");
        var viaChanged = await changed.EnqueueAsync(new Work("changed"));
        var viaOriginal = await original.EnqueueAsync(new Work("original"));

        Assert.NotSame(original, changed);
        Assert.Equal(("other-queue", 50, "other"), (viaChanged.Queue, viaChanged.Priority, viaChanged.Backend));
        Assert.NotNull(viaChanged.RunAfter);
        Assert.Equal(("def-queue", 7, "rec"), (viaOriginal.Queue, viaOriginal.Priority, viaOriginal.Backend));
        Assert.Null(viaOriginal.RunAfter);

        var definition = host.Services.GetRequiredService<TaskRegistry>().Get("work");
        Assert.Equal(("def-queue", 7, (string?)null), (definition.Queue, definition.Priority, definition.Backend));
        Assert.Same(original, host.Queue); // the injected queue is a singleton and was not replaced
    }

    [Fact]
    public async Task RunAfter_and_Delay_return_new_queues_too()
    {
        await using var host = Host();
        var original = host.Queue;

        var later = original.RunAfter(DateTime.UtcNow.AddHours(1));
        var delayed = original.Delay(TimeSpan.FromMinutes(5));
        await later.EnqueueAsync(new Work("later"));
        await delayed.EnqueueAsync(new Work("delayed"));
        var plain = await original.EnqueueAsync(new Work("plain"));

        Assert.NotSame(original, later);
        Assert.NotSame(original, delayed);
        Assert.Null(plain.RunAfter);
    }

    [Fact]
    public async Task Overrides_accumulate_and_the_later_one_wins()
    {
        await using var host = Host();

        var queue = host.Queue.With(queue: "a").With(priority: 3).With(queue: "b");
        var result = await queue.EnqueueAsync(new Work("x"));

        Assert.Equal(("b", 3), (result.Queue, result.Priority));
    }

    [Fact]
    public async Task With_converts_run_after_to_UTC_keeping_the_instant()
    {
        await using var host = Host();
        var local = new DateTimeOffset(2031, 6, 1, 14, 30, 0, TimeSpan.FromHours(2));

        var result = await host.Queue.With(runAfter: local).EnqueueAsync(new Work("x"));
        var envelope = Assert.Single(host.Backend<RecordingTaskBackend>("rec").Enqueued);

        Assert.Equal(TimeSpan.Zero, envelope.RunAfter!.Value.Offset);
        Assert.Equal(local.UtcDateTime, envelope.RunAfter.Value.UtcDateTime);
        Assert.Equal(envelope.RunAfter, result.RunAfter);
    }

    [Fact]
    public async Task Delay_is_measured_from_the_moment_of_each_enqueue()
    {
        await using var host = Host();
        var delay = TimeSpan.FromMinutes(5);
        var queue = host.Queue.Delay(delay);

        var first = await queue.EnqueueAsync(new Work("1"));
        var second = await queue.EnqueueAsync(new Work("2"));

        Assert.Equal(first.EnqueuedAt + delay, first.RunAfter);
        Assert.Equal(second.EnqueuedAt + delay, second.RunAfter);
        Assert.Equal(TimeSpan.Zero, first.RunAfter!.Value.Offset);
    }

    [Fact]
    public async Task A_later_run_after_replaces_a_delay_and_vice_versa_while_other_overrides_keep_them()
    {
        await using var host = Host();
        var at = new DateTimeOffset(2032, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var delayThenAt = await host.Queue.Delay(TimeSpan.FromDays(1)).With(runAfter: at).EnqueueAsync(new Work("1"));
        var atThenDelay = await host.Queue.With(runAfter: at).Delay(TimeSpan.FromMinutes(1)).EnqueueAsync(new Work("2"));
        var delayThenPriority = await host.Queue.Delay(TimeSpan.FromMinutes(2)).With(priority: 1).EnqueueAsync(new Work("3"));
        var utcThenPriority = await host.Queue.RunAfter(at.UtcDateTime).With(priority: 1).EnqueueAsync(new Work("4"));

        Assert.Equal(at, delayThenAt.RunAfter);
        Assert.Equal(atThenDelay.EnqueuedAt + TimeSpan.FromMinutes(1), atThenDelay.RunAfter);
        Assert.Equal(delayThenPriority.EnqueuedAt + TimeSpan.FromMinutes(2), delayThenPriority.RunAfter);
        Assert.Equal(at, utcThenPriority.RunAfter);
    }

    [Fact]
    public async Task With_backend_routes_results_and_cancel_to_that_backend()
    {
        await using var host = Host();
        var other = host.Queue.With(backend: "other");

        var result = await other.EnqueueAsync(new Work("x"));

        Assert.Empty(host.Backend<RecordingTaskBackend>("rec").Enqueued);
        Assert.Single(host.Backend<RecordingTaskBackend>("other").Enqueued);
        Assert.Equal("other", (await other.GetResultAsync(result.Id)).Backend);
        Assert.Equal("other", (await host.Queue.GetResultAsync(result.Id)).Backend); // found on a non-default backend too
        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.With(backend: "rec").GetResultAsync(result.Id));
        Assert.True(await host.Queue.CancelAsync(result.Id));
    }

    [Fact]
    public async Task A_failed_With_leaves_no_trace_on_the_queue()
    {
        await using var host = Host();
        var queue = host.Queue.With(queue: "kept");

        Assert.Throws<InvalidTaskException>(() => queue.With(priority: 1000));
        var result = await queue.EnqueueAsync(new Work("x"));

        Assert.Equal(("kept", 7), (result.Queue, result.Priority));
    }
}
