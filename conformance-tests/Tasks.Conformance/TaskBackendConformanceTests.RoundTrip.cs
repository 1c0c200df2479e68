using System.Globalization;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>A task runs once; arguments and return value round-trip exactly; the result's bookkeeping is right.</summary>
    [Fact]
    public async Task Enqueued_task_runs_once_and_round_trips_arguments_and_return_value()
    {
        var host = Host("app");
        await host.StartWorkerAsync();
        var payload = RichPayload();

        var enqueued = await host.Queue.EnqueueAsync(payload);
        var result = await FinishedAsync(host, enqueued.Id);

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.True(Guid.TryParse(result.Id, out _), "the id is a GUID");
        Assert.Equal(ConformanceTaskNames.Echo, result.TaskName);
        Assert.Equal(TaskBackendFixture.BackendAlias, result.Backend);
        AssertSameJson(payload, result.GetArguments<EchoPayload>());
        var echoed = result.GetReturnValue<EchoPayload>();
        AssertSameJson(payload, echoed);
        Assert.Equal(payload.When, echoed.When);
        Assert.Equal(payload.When.Offset, echoed.When.Offset);
        Assert.Null(echoed.Nothing);
        Assert.Single(Probe.ExecutionsOf(enqueued.Id));
        Assert.Equal(1, result.Attempts);
        Assert.Single(result.WorkerIds);
        Assert.Empty(result.Errors);
        Assert.NotNull(result.StartedAt);
        Assert.NotNull(result.FinishedAt);
        Assert.NotNull(result.LastAttemptedAt);
        Assert.Equal(TimeSpan.Zero, result.EnqueuedAt.Offset);
        Assert.Equal(TimeSpan.Zero, result.StartedAt!.Value.Offset);
        Assert.True(result.EnqueuedAt <= result.StartedAt && result.StartedAt <= result.FinishedAt, "enqueued <= started <= finished");
    }

    /// <summary>
    /// A task runs in its worker's culture, not in the culture of the code that enqueued it, so it formats and parses the
    /// same whichever backend runs it.
    /// </summary>
    [Fact]
    public async Task Task_runs_in_its_workers_culture_not_the_enqueuers()
    {
        var host = Host("app");
        await host.StartWorkerAsync();
        var worker = CultureInfo.CurrentCulture.Name;

        var id = (await EnqueuerCulture.RunAsync(EnqueuerCulture.OtherThan(worker), () => host.Queue.EnqueueAsync(new RecordArgs("culture")))).Id;

        Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, id)).Status);
        Assert.Equal(worker, Assert.Single(Probe.ExecutionsOf(id)).Culture);
    }

    /// <summary>A payload of the documented maximum size round-trips.</summary>
    [Fact]
    public async Task Large_payload_round_trips()
    {
        var host = Host("app");
        await host.StartWorkerAsync();
        var payload = RichPayload(Traits.MaxPayloadBytes);

        var result = await FinishedAsync(host, (await host.Queue.EnqueueAsync(payload)).Id);

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(Traits.MaxPayloadBytes, result.GetReturnValue<EchoPayload>().Blob.Length);
        AssertSameJson(payload, result.GetReturnValue<EchoPayload>());
    }

    /// <summary>Reading the return value before success throws the typed error.</summary>
    [Fact]
    public async Task Return_value_read_before_success_throws_typed_error()
    {
        var host = Host("app");
        var enqueued = await host.Queue.EnqueueAsync(new RecordArgs("not yet"));

        Assert.Equal(TaskResultStatus.Ready, enqueued.Status);
        var ex = Assert.Throws<TaskResultNotReadyException>(() => enqueued.GetReturnValue<string>());
        Assert.Equal(TaskResultStatus.Ready, ex.Status);
    }
}
