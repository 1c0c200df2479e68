using Tasks.Hangfire.Internal;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>The envelope argument and the return value of a Tasks job: stored without repeats, read back whole.</summary>
public sealed class TasksJobPayloadTests
{
    private static readonly TaskEnvelope Envelope = new()
    {
        Id = Guid.NewGuid().ToString(),
        TaskName = "send",
        Queue = "mail",
        Priority = 5,
        Arguments = "{\"to\":\"a@b\"}",
        EnqueuedAt = new DateTimeOffset(2026, 11, 27, 5, 0, 0, TimeSpan.Zero),
        Attempt = 2,
        MaxAttempts = 3,
        TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    };

    [Fact]
    public void The_envelope_argument_leaves_out_the_other_arguments_and_reads_back_whole()
    {
        var stored = TasksJobPayload.Envelope(Envelope);

        Assert.DoesNotContain(Envelope.Id, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("a@b", stored, StringComparison.Ordinal);
        Assert.Equal(Envelope, TasksJobPayload.ReadEnvelope(Envelope.TaskName, Envelope.Id, Envelope.Arguments, stored));
    }

    [Fact]
    public void An_envelope_of_another_task_is_refused()
    {
        var other = TaskJson.Serialize(Envelope with { Id = Guid.NewGuid().ToString() });

        var ex = Assert.Throws<TaskPayloadException>(() => TasksJobPayload.ReadEnvelope(Envelope.TaskName, Envelope.Id, Envelope.Arguments, other));
        Assert.Contains(Envelope.Id, ex.Message, StringComparison.Ordinal);
        Assert.Throws<TaskPayloadException>(() => TasksJobPayload.ReadEnvelope(Envelope.TaskName, Envelope.Id, Envelope.Arguments, "{not json"));
    }

    [Fact]
    public void The_returned_result_leaves_out_what_the_job_holds_and_reads_back_whole()
    {
        var done = TaskResult.ForEnqueued(Envelope, "hf") with { EngineId = "42", Status = TaskResultStatus.Succeeded, ReturnValue = "7", Attempts = 2, Version = 5 };

        var stored = TasksJobPayload.Result(done);

        Assert.DoesNotContain(Envelope.Id, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("a@b", stored, StringComparison.Ordinal);
        // Compared as JSON: the record's lists compare by reference.
        Assert.Equal(TaskJson.Serialize(done), TaskJson.Serialize(TasksJobPayload.ReadResult(stored, Envelope, "42")));
    }
}
