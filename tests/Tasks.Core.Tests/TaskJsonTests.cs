namespace Tasks.Core.Tests;

/// <summary><see cref="TaskJson"/>: the wire format of envelopes and results.</summary>
public sealed class TaskJsonTests
{
    private static TaskEnvelope FullEnvelope() => new()
    {
        Id = Guid.NewGuid().ToString(),
        TaskName = "send-email",
        Queue = "emails",
        Priority = -7,
        RunAfter = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Arguments = """{"to":"zoë@example.com","body":"日本語 ✓"}""",
        Attempt = 2,
        MaxAttempts = 5,
        EnqueuedAt = new DateTimeOffset(2029, 12, 31, 23, 59, 59, 123, TimeSpan.Zero),
        TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        TraceState = "vendor=value",
    };

    [Fact]
    public void An_envelope_round_trips_field_for_field()
    {
        var envelope = FullEnvelope();

        var back = TaskJson.DeserializeEnvelope(TaskJson.Serialize(envelope));

        Assert.Equal(envelope, back);
    }

    [Fact]
    public void A_minimal_envelope_round_trips_and_omits_nulls()
    {
        var envelope = new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = "t", Queue = "default", Arguments = "null" };

        var json = TaskJson.Serialize(envelope);
        var back = TaskJson.DeserializeEnvelope(json);

        Assert.Equal(envelope, back);
        Assert.Contains("\"taskName\":\"t\"", json);
        Assert.DoesNotContain("runAfter", json);
        Assert.DoesNotContain("traceParent", json);
    }

    [Fact]
    public void A_result_round_trips_with_errors_workers_and_timestamps()
    {
        var at = new DateTimeOffset(2030, 6, 7, 8, 9, 10, TimeSpan.Zero);
        var result = new TaskResult
        {
            Id = Guid.NewGuid().ToString(),
            EngineId = "engine-1",
            TaskName = "work",
            Backend = "redis",
            Queue = "q",
            Priority = 3,
            RunAfter = at,
            Status = TaskResultStatus.Failed,
            Arguments = """{"label":"x"}""",
            ReturnValue = "42",
            Errors = [new TaskError(1, "System.Exception", "first", "at A()", at), new TaskError(2, "Tasks.WorkerLost", "lost", null, at.AddSeconds(1))],
            Attempts = 2,
            MaxAttempts = 3,
            WorkerIds = ["w1", "w2"],
            EnqueuedAt = at.AddMinutes(-1),
            StartedAt = at.AddSeconds(-30),
            LastAttemptedAt = at.AddSeconds(-1),
            FinishedAt = at,
            Version = 17,
            Serializer = SystemTextJsonTaskSerializer.Default,
        };

        var json = TaskJson.Serialize(result);
        var back = TaskJson.DeserializeResult(json);

        Assert.Null(back.Serializer); // never on the wire
        Assert.DoesNotContain("serializer", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("isFinished", json, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(result.Errors, back.Errors);
        Assert.Equal(result.WorkerIds, back.WorkerIds);
        Assert.Equal(result with { Serializer = null, Errors = back.Errors, WorkerIds = back.WorkerIds }, back);
    }

    [Fact]
    public void A_fresh_result_round_trips_with_empty_lists()
    {
        var result = TaskResult.ForEnqueued(new TaskEnvelope { Id = Guid.NewGuid().ToString(), TaskName = "t", Queue = "q", Arguments = "{}" }, "b");

        var back = TaskJson.DeserializeResult(TaskJson.Serialize(result));

        Assert.Empty(back.Errors);
        Assert.Empty(back.WorkerIds);
        Assert.Equal(TaskResultStatus.Ready, back.Status);
        Assert.Equal(result with { Errors = back.Errors, WorkerIds = back.WorkerIds }, back);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"id":"x","taskName":"t","queue":"q"}""")]
    [InlineData("""{"id":1,"taskName":"t","queue":"q","arguments":"{}"}""")]
    [InlineData("not json at all")]
    public void Malformed_envelopes_throw_TaskPayloadException(string json)
    {
        var ex = Assert.Throws<TaskPayloadException>(() => TaskJson.DeserializeEnvelope(json));

        Assert.StartsWith("The task envelope is not valid:", ex.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(ex.InnerException);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{}")]
    [InlineData("""{"id":"x","taskName":"t","backend":"b","queue":"q","arguments":"{}","status":"Ready"}""")]
    public void Malformed_results_throw_TaskPayloadException(string json)
    {
        var ex = Assert.Throws<TaskPayloadException>(() => TaskJson.DeserializeResult(json));

        Assert.StartsWith("The task result is not valid:", ex.Message);
    }

    [Fact]
    public void JSON_null_is_refused_as_empty()
    {
        Assert.Equal("The task envelope is empty (JSON null).", Assert.Throws<TaskPayloadException>(() => TaskJson.DeserializeEnvelope("null")).Message);
        Assert.Equal("The task result is empty (JSON null).", Assert.Throws<TaskPayloadException>(() => TaskJson.DeserializeResult("null")).Message);
    }
}
