using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="RecordingTaskBackend"/>: records what is enqueued, in order, and never runs it.</summary>
public sealed class RecordingTaskBackendTests
{
    private static TestHost Host() => TestHost.Create(t =>
    {
        t.AddRecordingBackend("rec");
        t.AddTask<Work, WorkHandler>("work", o => o.MaxAttempts = 3);
        t.AddTask<Add, int, AddHandler>("add", o => o.Queue = "math");
    });

    [Fact]
    public async Task Records_envelopes_in_enqueue_order_with_everything_the_enqueue_asked_for()
    {
        await using var host = Host();
        var backend = host.Backend<RecordingTaskBackend>("rec");
        var at = new DateTimeOffset(2035, 5, 5, 5, 5, 5, TimeSpan.Zero);

        var first = await host.Queue.EnqueueAsync(new Work("first"));
        var second = await host.Queue.With(queue: "q2", priority: -3, runAfter: at).EnqueueAsync(new Add(1, 2));
        var third = await host.Queue.EnqueueAsync("work", new Work("third"));

        var recorded = backend.Enqueued;
        Assert.Equal([first.Id, second.Id, third.Id], recorded.Select(e => e.Id));
        Assert.Equal(["work", "add", "work"], recorded.Select(e => e.TaskName));
        Assert.Equal("""{"label":"first"}""", recorded[0].Arguments);
        Assert.Equal(("default", 0, (DateTimeOffset?)null, 3, 1), (recorded[0].Queue, recorded[0].Priority, recorded[0].RunAfter, recorded[0].MaxAttempts, recorded[0].Attempt));
        Assert.Equal(("q2", -3, (DateTimeOffset?)at, 1), (recorded[1].Queue, recorded[1].Priority, recorded[1].RunAfter, recorded[1].MaxAttempts));
        Assert.Equal("""{"a":1,"b":2}""", recorded[1].Arguments);
        Assert.All(recorded, e => Assert.True(Guid.TryParse(e.Id, out _)));
        Assert.All(recorded, e => Assert.NotEqual(default, e.EnqueuedAt));
    }

    [Fact]
    public async Task Bulk_enqueues_are_recorded_in_input_order()
    {
        await using var host = Host();
        var backend = host.Backend<RecordingTaskBackend>("rec");

        var results = await host.Queue.EnqueueManyAsync(Enumerable.Range(0, 5).Select(i => new Work($"w{i}")));

        Assert.Equal(results.Select(r => r.Id), backend.Enqueued.Select(e => e.Id));
        Assert.Equal(["w0", "w1", "w2", "w3", "w4"], results.Select(r => r.GetArguments<Work>().Label));
    }

    [Fact]
    public async Task EnqueuedOf_filters_by_task_name()
    {
        await using var host = Host();
        var backend = host.Backend<RecordingTaskBackend>("rec");

        await host.Queue.EnqueueAsync(new Work("a"));
        await host.Queue.EnqueueAsync(new Add(1, 1));
        await host.Queue.EnqueueAsync(new Work("b"));

        Assert.Equal(["""{"label":"a"}""", """{"label":"b"}"""], backend.EnqueuedOf("work").Select(e => e.Arguments));
        Assert.Single(backend.EnqueuedOf("add"));
        Assert.Empty(backend.EnqueuedOf("nope"));
    }

    [Fact]
    public async Task Clear_forgets_envelopes_and_results()
    {
        await using var host = Host();
        var backend = host.Backend<RecordingTaskBackend>("rec");
        var result = await host.Queue.EnqueueAsync(new Work("a"));

        backend.Clear();

        Assert.Empty(backend.Enqueued);
        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.GetResultAsync(result.Id));
        await host.Queue.EnqueueAsync(new Work("after"));
        Assert.Single(backend.Enqueued);
    }

    [Fact]
    public async Task Results_stay_Ready_because_nothing_ever_runs()
    {
        await using var host = Host();

        var result = await host.Queue.EnqueueAsync(new Work("a"));
        await Task.Yield();

        var read = await host.Queue.GetResultAsync(result.Id);
        Assert.Equal(TaskResultStatus.Ready, read.Status);
        Assert.Equal(0, read.Attempts);
        Assert.Null(read.StartedAt);
        Assert.Equal("rec", read.Backend);
        Assert.Empty(host.Probe.Calls);
        await Assert.ThrowsAsync<TimeoutException>(() => host.Queue.WaitAsync(result.Id, TimeSpan.FromMilliseconds(30)));
    }

    [Fact]
    public async Task Cancel_works_once()
    {
        await using var host = Host();
        var result = await host.Queue.EnqueueAsync(new Work("a"));

        Assert.True(await host.Queue.CancelAsync(result.Id));
        Assert.False(await host.Queue.CancelAsync(result.Id));

        Assert.Equal(TaskResultStatus.Cancelled, (await host.Queue.GetResultAsync(result.Id)).Status);
        Assert.Single(host.Backend<RecordingTaskBackend>("rec").Enqueued); // recorded all the same
    }

    [Fact]
    public void Accepts_every_option_but_cannot_run_in_the_background()
    {
        var backend = new RecordingTaskBackend("rec");

        Assert.Equal(TaskBackendCapabilities.Defer | TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results | TaskBackendCapabilities.Cancel | TaskBackendCapabilities.BulkEnqueue, backend.Capabilities);
        Assert.False(backend.Capabilities.HasFlag(TaskBackendCapabilities.Background));
        Assert.Null(backend.Queues);
        Assert.Equal("Recording", RecordingTaskBackend.TypeName);
    }

    [Fact]
    public async Task Can_be_used_on_its_own_without_the_queue()
    {
        var backend = new RecordingTaskBackend("solo");
        var envelope = new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = "t", Queue = "q", Arguments = "1" };

        var result = await backend.EnqueueAsync(envelope);

        Assert.Equal(TaskResultStatus.Ready, result.Status);
        Assert.Equal("solo", result.Backend);
        Assert.Same(envelope, Assert.Single(backend.Enqueued));
        Assert.Equal(result, await backend.GetResultAsync(envelope.Id));
        var duplicate = await Assert.ThrowsAsync<InvalidTaskException>(() => backend.EnqueueAsync(envelope)); // the same id twice
        Assert.Equal("Id", duplicate.Option);
        Assert.Single(backend.Enqueued);
    }
}
