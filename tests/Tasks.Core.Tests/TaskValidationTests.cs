using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="TaskValidation"/> as every backend applies it to envelopes, whoever calls the backend.</summary>
public sealed class TaskValidationTests
{
    private static TaskEnvelope Envelope() => new()
    {
        Id = Guid.NewGuid().ToString(),
        TaskName = "work",
        Queue = "default",
        Arguments = """{"label":"x"}""",
    };

    [Fact]
    public void A_plain_envelope_is_valid()
    {
        TaskValidation.Validate(Envelope(), new RecordingTaskBackend("rec"));
    }

    [Fact]
    public void MaxAttempts_below_one_is_refused()
    {
        var ex = Assert.Throws<InvalidTaskException>(() => TaskValidation.Validate(Envelope() with { MaxAttempts = 0 }, new RecordingTaskBackend("rec")));

        Assert.Equal("MaxAttempts", ex.Option);
        Assert.Equal("rec", ex.Backend);
        Assert.Contains("MaxAttempts 0 is invalid: a task has at least 1 attempt", ex.Message);
    }

    [Fact]
    public async Task A_backend_refuses_an_invalid_envelope_enqueued_directly_and_records_nothing()
    {
        var backend = new RecordingTaskBackend("rec");

        await Assert.ThrowsAsync<InvalidTaskException>(() => backend.EnqueueAsync(Envelope() with { MaxAttempts = 0 }));
        await Assert.ThrowsAsync<InvalidTaskException>(() => backend.EnqueueAsync(Envelope() with { Priority = 101 }));
        await Assert.ThrowsAsync<InvalidTaskException>(() => backend.EnqueueAsync(Envelope() with { Queue = "no good" }));
        await Assert.ThrowsAsync<InvalidTaskException>(() => backend.EnqueueManyAsync([Envelope(), Envelope() with { Priority = -101 }]));

        Assert.Empty(backend.Enqueued);
        Assert.Equal(0, ((InMemoryTaskResultStore)backend.Results).Count);
    }

    [Fact]
    public void RunAfter_with_a_non_zero_offset_is_refused()
    {
        var local = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.FromHours(2));

        var ex = Assert.Throws<InvalidTaskException>(() => TaskValidation.Validate(Envelope() with { RunAfter = local }, new RecordingTaskBackend("rec")));

        Assert.Equal("RunAfter", ex.Option);
        Assert.Contains("must be a UTC instant (offset zero)", ex.Message);
        TaskValidation.Validate(Envelope() with { RunAfter = local.ToUniversalTime() }, new RecordingTaskBackend("rec"));
    }

    [Fact]
    public void Priority_out_of_range_is_refused_before_capabilities_are_considered()
    {
        var ex = Assert.Throws<InvalidTaskException>(() => TaskValidation.Validate(Envelope() with { Priority = 101 }, new LimitedBackend("plain", TaskBackendCapabilities.Priority)));

        Assert.IsNotType<TaskNotSupportedException>(ex);
        Assert.Equal("Priority", ex.Option);
        Assert.Equal("plain", ex.Backend);
    }

    [Fact]
    public void Missing_capabilities_are_refused_with_TaskNotSupportedException()
    {
        var noDefer = Assert.Throws<TaskNotSupportedException>(() => TaskValidation.Validate(Envelope() with { RunAfter = DateTimeOffset.UtcNow }, new LimitedBackend("x", TaskBackendCapabilities.Defer)));
        var noPriority = Assert.Throws<TaskNotSupportedException>(() => TaskValidation.Validate(Envelope() with { Priority = -1 }, new LimitedBackend("x", TaskBackendCapabilities.Priority)));

        Assert.Equal(TaskBackendCapabilities.Defer, noDefer.Missing);
        Assert.Equal(TaskBackendCapabilities.Priority, noPriority.Missing);
        Assert.Contains("Priority -1 (only the default 0)", noPriority.Message);
    }

    [Fact]
    public void Unknown_queue_of_a_backend_that_lists_its_queues_is_refused()
    {
        var ex = Assert.Throws<UnknownQueueException>(() => TaskValidation.Validate(Envelope() with { Queue = "other" }, new ListedQueuesBackend("listed", "default")));

        Assert.Equal("other", ex.Queue);
        Assert.Equal("Backend 'listed' has no queue 'other'. Its queues: 'default'.", ex.Message);
    }

    [Fact]
    public void Null_envelope_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => TaskValidation.Validate(null!, new RecordingTaskBackend("rec")));
    }

    [Fact]
    public void Ids_must_be_GUIDs()
    {
        TaskValidation.ValidateId(Guid.NewGuid().ToString());
        TaskValidation.ValidateId(Guid.NewGuid().ToString("N"));

        var ex = Assert.Throws<TaskNotFoundException>(() => TaskValidation.ValidateId("abc", "rec"));
        Assert.Equal("Task 'abc' does not exist on backend 'rec': the id is not a task id (a GUID).", ex.Message);
        Assert.Equal("(null)", Assert.Throws<TaskNotFoundException>(() => TaskValidation.ValidateId(null!)).TaskId);
    }

    [Fact]
    public async Task A_backend_refuses_a_malformed_id_on_get_and_cancel()
    {
        var backend = new RecordingTaskBackend("rec");

        await Assert.ThrowsAsync<TaskNotFoundException>(() => backend.GetResultAsync("bad"));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => backend.CancelAsync("bad"));
        await Assert.ThrowsAsync<TaskNotFoundException>(() => backend.GetResultAsync(Guid.NewGuid().ToString()));
    }
}
