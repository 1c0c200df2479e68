using Microsoft.Extensions.DependencyInjection;
using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="Workers.PullTaskWorker"/> (as the InMemory backend creates it): concurrency, graceful and forced stop.</summary>
public sealed class PullTaskWorkerTests
{
    private static TestHost Host() => TestHost.Create(t =>
    {
        t.AddInMemoryBackend("mem");
        t.AddTask<Work, WorkHandler>("work");
        t.AddTask<Add, int, AddHandler>("add", o => o.Queue = "math");
    });

    [Fact]
    public async Task Graceful_stop_lets_the_running_task_finish_and_leaves_queued_ones_Ready()
    {
        await using var host = Host();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Probe.Behaviour = (w, _, _) => w.Label == "running" ? gate.Task : Task.CompletedTask;
        var worker = await host.StartWorkerAsync(o => o.Concurrency = 1);

        var running = await host.Queue.EnqueueAsync(new Work("running"));
        await Eventually.TrueAsync(() => host.Probe.CallsOf(running.Id).Count == 1, "the first task to start");
        var queued = await host.Queue.EnqueueAsync(new Work("queued"));

        var stopping = worker.StopAsync();
        Assert.False(stopping.IsCompleted); // it waits for the running task
        gate.SetResult();
        await Eventually.Within(stopping, "the worker to stop");

        Assert.Equal(TaskResultStatus.Succeeded, (await host.Queue.GetResultAsync(running.Id)).Status);
        var left = await host.Queue.GetResultAsync(queued.Id);
        Assert.Equal(TaskResultStatus.Ready, left.Status);
        Assert.Equal(0, left.Attempts);
        Assert.Equal(1, host.Backend<InMemoryTaskBackend>("mem").PendingCount);
        Assert.Equal(["running"], host.Probe.Calls.Select(c => c.Label));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_task_still_running_after_the_shutdown_timeout_is_put_back_without_using_an_attempt(bool honoursToken)
    {
        await using var host = Host();
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstRun = true;
        host.Probe.Behaviour = (_, _, ct) =>
        {
            if (!firstRun)
            {
                return Task.CompletedTask;
            }

            firstRun = false;
            return honoursToken ? Task.Delay(Timeout.Infinite, ct) : never.Task;
        };
        var worker = await host.StartWorkerAsync(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromMilliseconds(100);
            o.WorkerId = "stopped-worker";
        });
        var task = await host.Queue.EnqueueAsync(new Work("long"));
        await Eventually.TrueAsync(() => host.Probe.CallsOf(task.Id).Count == 1, "the task to start");

        await Eventually.Within(worker.StopAsync(), "the worker to stop after its shutdown timeout");

        var abandoned = await host.Queue.GetResultAsync(task.Id);
        Assert.Equal(TaskResultStatus.Ready, abandoned.Status);
        Assert.Equal(0, abandoned.Attempts);
        Assert.Empty(abandoned.Errors);
        Assert.Equal(1, host.Backend<InMemoryTaskBackend>("mem").PendingCount);

        // Another worker picks it up again and it still has its full attempt budget.
        await host.StartWorkerAsync(o => o.WorkerId = "next-worker");
        var done = await host.WaitAsync(task.Id);
        Assert.Equal(TaskResultStatus.Succeeded, done.Status);
        Assert.Equal(1, done.Attempts);
        Assert.Empty(done.Errors);
        Assert.Equal("next-worker", done.WorkerIds[^1]);
        Assert.Equal([1, 1], host.Probe.CallsOf(task.Id).Select(c => c.Attempt));
        never.TrySetResult();
    }

    [Fact]
    public async Task Concurrency_runs_that_many_tasks_at_once()
    {
        await using var host = Host();
        var started = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Probe.Behaviour = async (_, _, _) =>
        {
            if (Interlocked.Increment(ref started) == 3)
            {
                allStarted.TrySetResult();
            }

            // Each task finishes only once all three run at the same time.
            await allStarted.Task;
        };
        await host.StartWorkerAsync(o => o.Concurrency = 3);

        var results = await host.Queue.EnqueueManyAsync([new Work("1"), new Work("2"), new Work("3")]);

        foreach (var r in results)
        {
            Assert.Equal(TaskResultStatus.Succeeded, (await host.WaitAsync(r.Id)).Status);
        }
    }

    [Fact]
    public async Task A_worker_without_queues_serves_every_registered_tasks_queue_and_default()
    {
        await using var host = Host();
        await host.StartWorkerAsync(o => o.Queues.Clear());

        var math = await host.WaitAsync((await host.Queue.EnqueueAsync(new Add(1, 1))).Id);
        var plain = await host.WaitAsync((await host.Queue.EnqueueAsync(new Work("w"))).Id);

        Assert.Equal(("math", TaskResultStatus.Succeeded), (math.Queue, math.Status));
        Assert.Equal(("default", TaskResultStatus.Succeeded), (plain.Queue, plain.Status));
    }

    [Fact]
    public async Task Worker_options_are_checked_and_copied()
    {
        await using var host = Host();

        Assert.Throws<ArgumentOutOfRangeException>(() => host.Backends.CreateWorker(new TaskWorkerOptions { Concurrency = 0 }));
        var bad = Assert.Throws<InvalidTaskException>(() => host.Backends.CreateWorker(new TaskWorkerOptions { Queues = ["bad queue"] }));
        Assert.Equal("Queue", bad.Option);
        Assert.Throws<UnknownBackendException>(() => host.Backends.CreateWorker(new TaskWorkerOptions { Backend = "nope" }));

        var options = new TaskWorkerOptions { Queues = [], Concurrency = 1 };
        await using var worker = host.Backends.CreateWorker(options);
        Assert.Empty(options.Queues); // the caller's options are not changed
        Assert.Null(options.Backend);
    }

    [Fact]
    public void Worker_option_defaults_and_Clone()
    {
        var defaults = new TaskWorkerOptions();
        Assert.Null(defaults.Backend);
        Assert.Empty(defaults.Queues);
        Assert.Equal(Environment.ProcessorCount, defaults.Concurrency);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), defaults.ErrorDelay);

        var options = new TaskWorkerOptions { Backend = "b", Queues = ["q"], Concurrency = 7, WorkerId = "w", ShutdownTimeout = TimeSpan.FromSeconds(2), ErrorDelay = TimeSpan.FromSeconds(3) };
        var copy = options.Clone();
        copy.Queues.Add("other");

        Assert.Equal(["q"], options.Queues);
        Assert.Equal(("b", 7, "w", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)), (copy.Backend, copy.Concurrency, copy.WorkerId, copy.ShutdownTimeout, copy.ErrorDelay));
    }

    [Fact]
    public async Task Stop_is_idempotent_and_dispose_works_on_a_worker_never_started()
    {
        await using var host = Host();
        var worker = await host.StartWorkerAsync();

        await worker.StopAsync();
        await worker.StopAsync();

        await using var idle = host.Backends.CreateWorker(new TaskWorkerOptions { Concurrency = 1 });
        Assert.False(string.IsNullOrEmpty(idle.Id));
        Assert.Contains(Environment.ProcessId.ToString(), idle.Id);
    }

    [Fact]
    public async Task Backends_that_cannot_run_workers_in_process_refuse_to_create_one()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddRecordingBackend("rec");
            t.AddImmediateBackend("inline");
            t.UseDefaultBackend("rec");
        });

        var rec = Assert.Throws<TaskNotSupportedException>(() => host.Backends.CreateWorker(new TaskWorkerOptions { Backend = "rec" }));
        var inline = Assert.Throws<TaskNotSupportedException>(() => host.Backends.CreateWorker(new TaskWorkerOptions { Backend = "inline" }));

        Assert.Equal(TaskBackendCapabilities.Background, rec.Missing);
        Assert.Contains("Backend 'rec' does not support workers in this process", rec.Message);
        Assert.Equal("inline", inline.Backend);
    }

    [Fact]
    public async Task Stopping_tells_the_receiver_once_that_no_more_tasks_are_taken()
    {
        await using var host = Host();
        var receiver = new IdleReceiver();
        var context = new Execution.TaskExecutionContext("mem", "w-stop", new InMemoryTaskResultStore());
        var worker = new Workers.PullTaskWorker(
            receiver,
            host.Services.GetRequiredService<Execution.TaskExecutor>(),
            context,
            new TaskWorkerOptions { Concurrency = 2 },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Workers.PullTaskWorker>.Instance);
        await worker.StartAsync();

        await worker.StopAsync();
        await worker.StopAsync();

        Assert.Equal(1, receiver.StopCalls);
        await worker.DisposeAsync();
    }

    /// <summary>A receiver with no work that counts the stop notices it gets.</summary>
    private sealed class IdleReceiver : Workers.ITaskReceiver
    {
        private int _stopCalls;

        public int StopCalls => Volatile.Read(ref _stopCalls);

        public async Task<Workers.ITaskDelivery> ReceiveAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }

        public Task StopReceivingAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _stopCalls);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
