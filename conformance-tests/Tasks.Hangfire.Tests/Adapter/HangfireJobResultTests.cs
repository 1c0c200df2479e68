using System.Text.Json;
using Hangfire.States;
using Tasks.Hangfire.Internal;
using Xunit;

namespace Tasks.Hangfire.Tests.Adapter;

/// <summary>How a task's result is read from its Hangfire job (arguments and current state) and the adapter's row.</summary>
public sealed class HangfireJobResultTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 2, 0, 0, TimeSpan.Zero);
    private static readonly TaskEnvelope Envelope = new() { Id = Guid.NewGuid().ToString(), TaskName = "send", Queue = "mail", Priority = 5, Arguments = "{\"to\":\"a@b\"}", EnqueuedAt = At, MaxAttempts = 3 };

    [Fact]
    public void An_enqueued_or_scheduled_job_without_a_row_is_the_task_as_enqueued()
    {
        foreach (var state in new[] { EnqueuedState.StateName, ScheduledState.StateName })
        {
            var r = From(state, null, null)!;
            Assert.Equal((TaskResultStatus.Ready, "42", "{\"to\":\"a@b\"}", "mail", 5, 0, 0L), (r.Status, r.EngineId, r.Arguments, r.Queue, r.Priority, r.Attempts, r.Version));
        }
    }

    [Fact]
    public void A_processing_job_is_running_its_next_attempt_until_its_running_row_exists()
    {
        var r = From(ProcessingState.StateName, null, null)!;
        Assert.Equal((TaskResultStatus.Running, 1, At), (r.Status, r.Attempts, r.StartedAt));

        var retried = TaskResult.ForEnqueued(Envelope, "hf") with { Attempts = 1, Version = 3, StartedAt = At.AddMinutes(-1), Errors = [new TaskError(1, "X", "x", null, At)] };
        var second = From(ProcessingState.StateName, null, retried)!;
        Assert.Equal((TaskResultStatus.Running, 2, At.AddMinutes(-1), 1), (second.Status, second.Attempts, second.StartedAt, second.Errors.Count));

        var row = retried with { Status = TaskResultStatus.Running, Attempts = 2, WorkerIds = ["w1"], Version = 4 };
        Assert.Equal(row with { EngineId = "42" }, From(ProcessingState.StateName, null, row));
    }

    [Fact]
    public void A_succeeded_job_holds_the_result_it_returned()
    {
        var done = TaskResult.ForEnqueued(Envelope, "hf") with { Status = TaskResultStatus.Succeeded, Attempts = 1, WorkerIds = ["w1"], ReturnValue = "7", Version = 2, Arguments = "" };
        var data = JsonSerializer.Serialize(new Dictionary<string, string> { ["Result"] = JsonSerializer.Serialize(TasksJobPayload.Result(done)), ["Latency"] = "3" });

        var r = From(SucceededState.StateName, data, null)!;

        Assert.Equal((TaskResultStatus.Succeeded, "7", "w1", Envelope.Arguments, "42"), (r.Status, r.ReturnValue, r.WorkerIds[0], r.Arguments, r.EngineId));
        Assert.Equal((Envelope.Id, Envelope.TaskName), (r.Id, r.TaskName));
    }

    [Fact]
    public void A_succeeded_job_that_returned_nothing_defers_to_a_finished_row()
    {
        var failed = TaskResult.ForEnqueued(Envelope, "hf") with { Status = TaskResultStatus.Failed, Attempts = 3, Version = 6 };
        Assert.Equal(TaskResultStatus.Failed, From(SucceededState.StateName, "{}", failed)!.Status);
        Assert.Equal(TaskResultStatus.Succeeded, From(SucceededState.StateName, "{}", null)!.Status);
    }

    [Fact]
    public void A_deleted_job_is_a_cancelled_task()
    {
        var r = From(DeletedState.StateName, "{}", null)!;
        Assert.Equal((TaskResultStatus.Cancelled, At), (r.Status, r.FinishedAt));
    }

    [Fact]
    public void A_job_deleted_because_its_task_was_removed_or_its_enqueue_failed_is_no_task()
    {
        Assert.Null(From(DeletedState.StateName, "{}", null, HangfireJobResult.RemovedReason));
        Assert.Null(From(DeletedState.StateName, "{}", null, HangfireJobResult.EnqueueUndoneReason));
        Assert.Equal(TaskResultStatus.Cancelled, From(DeletedState.StateName, "{}", null, "deleted from the dashboard")!.Status);
    }

    [Fact]
    public void A_job_without_a_state_was_never_enqueued()
    {
        Assert.Null(From(null, null, null));
    }

    [Fact]
    public void A_job_hangfire_failed_by_itself_carries_its_error_and_a_failed_row_wins()
    {
        var data = JsonSerializer.Serialize(new Dictionary<string, string> { ["ExceptionType"] = "Hangfire.Common.JobLoadException", ["ExceptionMessage"] = "no type" });
        var r = From(FailedState.StateName, data, null)!;
        Assert.Equal((TaskResultStatus.Failed, "Hangfire.Common.JobLoadException", "no type"), (r.Status, r.Errors.Single().ExceptionType, r.Errors.Single().Message));

        var row = TaskResult.ForEnqueued(Envelope, "hf") with { Status = TaskResultStatus.Failed, Attempts = 3, Errors = [new TaskError(3, "Boom", "b", null, At)], Version = 6 };
        Assert.Equal("Boom", From(FailedState.StateName, data, row)!.Errors.Single().ExceptionType);
    }

    [Fact]
    public void Without_a_job_only_the_row_is_left()
    {
        Assert.Null(HangfireJobResult.From("hf", null, null, null, null, null, null, null));
        var row = TaskResult.ForEnqueued(Envelope, "hf") with { Status = TaskResultStatus.Failed, Version = 2 };
        Assert.Same(row, HangfireJobResult.From("hf", null, null, null, null, null, null, row));
    }

    /// <summary>The job's arguments as Hangfire.PostgreSql stores them: a JSON array of each argument's JSON.</summary>
    private static TaskResult? From(string? state, string? data, TaskResult? row, string? reason = null)
    {
        string[] args = [Json(Envelope.TaskName), Json(Envelope.Id), Json(Envelope.Arguments), Json(TasksJobPayload.Envelope(Envelope))];
        return HangfireJobResult.From("hf", "42", state, reason, JsonSerializer.Serialize(args), data, At, row);
    }

    private static string Json(string value) => JsonSerializer.Serialize(value);
}
