using System.Diagnostics;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Conformance;

public abstract partial class TaskBackendConformanceTests<TFixture>
{
    /// <summary>
    /// A worker process killed mid-task: the task runs again on another worker within the recovery time, its lost
    /// attempt is recorded, and it is never lost.
    /// </summary>
    [Fact]
    public async Task Killed_worker_task_is_recovered_by_another_worker()
    {
        var victimId = $"victim-{Guid.NewGuid():N}"[..15];
        var start = Fixture.CreateWorkerProcess(victimId);
        if (start is null)
        {
            // Only a backend whose tasks cannot outlive their process may opt out, and it must say why.
            Assert.False(string.IsNullOrWhiteSpace(Traits.InProcessOnlyReason), "The fixture must provide CreateWorkerProcess for the crash test, or declare BackendTraits.InProcessOnlyReason.");
            Output.WriteLine($"Crash recovery does not apply: {Traits.InProcessOnlyReason}");
            return;
        }

        var client = Host("client");
        start.RedirectStandardOutput = true;
        start.RedirectStandardInput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var victim = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var errors = new System.Text.StringBuilder();
        victim.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        victim.BeginErrorReadLine();
        try
        {
            var ready = victim.StandardOutput.ReadLineAsync();
            while (true)
            {
                var line = await ready.WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(line is not null, $"The worker process exited before it was ready: {errors}");
                if (line == ConformanceWorker.ReadyLine)
                {
                    break;
                }

                ready = victim.StandardOutput.ReadLineAsync();
            }

            var enqueued = await client.Queue.EnqueueAsync(new HangArgs("crash"));
            await WaitUntilAsync(
                async () => (await client.Queue.GetResultAsync(enqueued.Id)) is { Status: TaskResultStatus.Running } r && r.WorkerIds.Contains(victimId),
                Traits.TaskTimeout,
                "the victim process runs the task");

            victim.Kill(entireProcessTree: true);
            await victim.WaitForExitAsync();
            var killedAt = DateTimeOffset.UtcNow;

            await Host("rescuer").StartWorkerAsync();
            var result = await FinishedAsync(client, enqueued.Id, Traits.CrashRecoveryTime + Traits.TaskTimeout);

            Assert.Equal(TaskResultStatus.Succeeded, result.Status);
            Assert.True(result.Attempts >= 2, $"attempts: {result.Attempts}");
            Assert.Equal(victimId, result.WorkerIds[0]);
            Assert.StartsWith("rescuer", result.WorkerIds[^1], StringComparison.Ordinal);
            Assert.Contains(result.Errors, e => e.ExceptionType == "Tasks.WorkerLost");
            var recoveredIn = Probe.ExecutionsOf(enqueued.Id).Last().At - killedAt;
            Output.WriteLine($"Recovered {recoveredIn.TotalSeconds:F1} s after the kill (allowed: {Traits.CrashRecoveryTime.TotalSeconds} s).");
            Assert.True(recoveredIn <= Traits.CrashRecoveryTime, $"recovered {recoveredIn} after the kill, over the declared {Traits.CrashRecoveryTime}");
        }
        finally
        {
            if (!victim.HasExited)
            {
                victim.Kill(entireProcessTree: true);
            }
        }
    }
}
