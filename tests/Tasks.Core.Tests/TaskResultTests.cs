using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="TaskResult"/>: reading values, finished states and the initial result of an envelope.</summary>
public sealed class TaskResultTests
{
    private static TaskResult Result(TaskResultStatus status, string? returnValue = null) => new()
    {
        Id = "11111111-1111-1111-1111-111111111111",
        TaskName = "add",
        Backend = "b",
        Queue = "q",
        Status = status,
        Arguments = """{"a":1,"b":2}""",
        ReturnValue = returnValue,
    };

    [Theory]
    [InlineData(TaskResultStatus.Ready)]
    [InlineData(TaskResultStatus.Running)]
    [InlineData(TaskResultStatus.Failed)]
    [InlineData(TaskResultStatus.Cancelled)]
    public void GetReturnValue_before_success_throws_TaskResultNotReadyException(TaskResultStatus status)
    {
        var ex = Assert.Throws<TaskResultNotReadyException>(() => Result(status, "3").GetReturnValue<int>());

        Assert.Equal(status, ex.Status);
        Assert.Equal($"Task '11111111-1111-1111-1111-111111111111' has no return value: its status is {status}, and a value exists only once it is Succeeded.", ex.Message);
    }

    [Fact]
    public void GetReturnValue_after_success_reads_the_value_or_the_default()
    {
        Assert.Equal(3, Result(TaskResultStatus.Succeeded, "3").GetReturnValue<int>());
        Assert.Equal(0, Result(TaskResultStatus.Succeeded).GetReturnValue<int>());
        Assert.Null(Result(TaskResultStatus.Succeeded).GetReturnValue<Work>());
        Assert.Equal(new Work("w"), Result(TaskResultStatus.Succeeded, """{"label":"w"}""").GetReturnValue<Work>());
    }

    [Fact]
    public void GetArguments_reads_the_arguments_with_the_attached_or_default_serializer()
    {
        Assert.Equal(new Add(1, 2), Result(TaskResultStatus.Ready).GetArguments<Add>());
        Assert.Equal(new Add(1, 2), (Result(TaskResultStatus.Ready) with { Serializer = SystemTextJsonTaskSerializer.Default }).GetArguments<Add>());
    }

    [Theory]
    [InlineData(TaskResultStatus.Ready, false)]
    [InlineData(TaskResultStatus.Running, false)]
    [InlineData(TaskResultStatus.Succeeded, true)]
    [InlineData(TaskResultStatus.Failed, true)]
    [InlineData(TaskResultStatus.Cancelled, true)]
    public void IsFinished_is_true_for_final_statuses_only(TaskResultStatus status, bool finished)
    {
        Assert.Equal(finished, Result(status).IsFinished);
    }

    [Fact]
    public void ForEnqueued_copies_the_envelope_into_a_Ready_result()
    {
        var envelope = new TaskEnvelope
        {
            Id = Guid.NewGuid().ToString(),
            TaskName = "t",
            Queue = "q",
            Priority = 9,
            RunAfter = DateTimeOffset.UnixEpoch,
            Arguments = "{}",
            MaxAttempts = 4,
            EnqueuedAt = DateTimeOffset.UnixEpoch.AddDays(1),
        };

        var result = TaskResult.ForEnqueued(envelope, "alias");

        Assert.Equal((envelope.Id, "t", "alias", "q", 9, envelope.RunAfter, "{}", 4, envelope.EnqueuedAt), (result.Id, result.TaskName, result.Backend, result.Queue, result.Priority, result.RunAfter, result.Arguments, result.MaxAttempts, result.EnqueuedAt));
        Assert.Equal(TaskResultStatus.Ready, result.Status);
        Assert.Equal(0, result.Attempts);
        Assert.Equal(0, result.Version);
        Assert.Empty(result.Errors);
        Assert.Empty(result.WorkerIds);
        Assert.Null(result.StartedAt);
    }

    [Fact]
    public void TaskError_From_records_type_message_and_stack()
    {
        Exception thrown;
        try
        {
            throw new BoomException("kaput");
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        var at = DateTimeOffset.UtcNow;
        var error = TaskError.From(2, thrown, at);
        var unthrown = TaskError.From(1, new InvalidOperationException("never thrown"), at);

        Assert.Equal((2, typeof(BoomException).FullName, "kaput", at), (error.Attempt, error.ExceptionType, error.Message, error.At));
        Assert.Contains(nameof(TaskError_From_records_type_message_and_stack), error.StackTrace);
        Assert.Contains("never thrown", unthrown.StackTrace); // no stack: falls back to ToString()
    }

    [Fact]
    public void The_next_attempt_envelope_is_rebuilt_from_a_result_that_has_not_started_it()
    {
        var envelope = new TaskEnvelope
        {
            Id = Guid.NewGuid().ToString(),
            TaskName = "mail.send",
            Queue = "emails",
            Priority = 7,
            RunAfter = DateTimeOffset.UtcNow.AddMinutes(5),
            Arguments = """{"to":"zoë@example.com"}""",
            MaxAttempts = 4,
            EnqueuedAt = DateTimeOffset.UtcNow,
            TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        };

        var first = TaskEnvelope.ForNextAttempt(TaskResult.ForEnqueued(envelope, "mem"));
        Assert.Equal(envelope with { TraceParent = null }, first);

        // After a failed attempt the result waits for its retry: the next envelope is attempt 2.
        var retried = TaskEnvelope.ForNextAttempt(TaskResult.ForEnqueued(envelope, "mem") with { Attempts = 1 });
        Assert.Equal(2, retried.Attempt);
    }
}
