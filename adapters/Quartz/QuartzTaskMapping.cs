using Quartz;

namespace Tasks.Quartz;

/// <summary>
/// How a task becomes a Quartz job and trigger. The ordering trick lives here: Quartz acquires due triggers by
/// <c>NEXT_FIRE_TIME</c> first and priority second, so a ready task's trigger is given a fire time of
/// <c>readyAt - (priority + 100) * PriorityStep</c>. Every ready trigger is then long overdue, a higher priority is
/// further in the past, and within one priority the earlier task is earlier: a backlog runs highest priority first,
/// FIFO within a priority, as long as the tasks became ready within <see cref="PriorityStep"/> (5 years) of each other.
/// A deferred task fires at its run-after instant (the max of the two). Triggers ignore misfires, so Quartz's misfire
/// handling never moves an overdue fire time (which would reorder the backlog).
/// </summary>
internal static class QuartzTaskMapping
{
    /// <summary>Job group of every task job.</summary>
    public const string Group = "tasks";

    /// <summary>Job-data key of the envelope JSON (on the job for the first delivery, on the trigger for later ones).</summary>
    public const string EnvelopeKey = "tasks.envelope";

    /// <summary>Execution-group prefix: a queue is routed to the workers serving <c>queue:&lt;name&gt;</c>.</summary>
    public const string QueueGroupPrefix = "queue:";

    /// <summary>How far apart two priority levels are on the fire-time axis.</summary>
    public static readonly TimeSpan PriorityStep = TimeSpan.FromDays(5 * 365);

    public static string ExecutionGroup(string queue) => QueueGroupPrefix + queue;

    public static JobKey JobKey(string taskId) => new(taskId, Group);

    /// <summary>The fire time that orders this task: see the type's remarks.</summary>
    public static DateTimeOffset FireTime(int priority, DateTimeOffset? runAfter, DateTimeOffset readyAt)
    {
        var key = readyAt - TimeSpan.FromTicks(PriorityStep.Ticks * (priority - TaskPriority.Min));
        return runAfter is { } at && at > key ? at : key;
    }

    /// <summary>
    /// The task's job. <paramref name="durable"/> (AdoNet with the built-in results table): Quartz keeps the job when its
    /// last trigger completes, which makes each completion cheaper; <see cref="QuartzResultPurger"/> deletes it once the
    /// task's result has expired.
    /// </summary>
    public static IJobDetail Job(TaskEnvelope envelope, string envelopeJson, bool durable) =>
        JobBuilder.Create<QuartzTaskJob>()
            .WithIdentity(JobKey(envelope.Id))
            .WithDescription(envelope.TaskName)
            .StoreDurably(durable)
            .RequestRecovery(true) // a worker that dies mid-task: another cluster node fires it again
            .UsingJobData(EnvelopeKey, envelopeJson)
            .Build();

    /// <summary>The trigger of a first delivery (the envelope is on the job).</summary>
    public static ITrigger FirstTrigger(TaskEnvelope envelope, DateTimeOffset fireTime) =>
        Trigger(envelope, envelope.Id, fireTime).Build();

    /// <summary>A later delivery of the same job (retry, or put back), carrying its own envelope.</summary>
    public static ITrigger NextTrigger(TaskEnvelope envelope, DateTimeOffset fireTime) =>
        Trigger(envelope, $"{envelope.Id}/{Guid.NewGuid().ToString("N")[..12]}", fireTime)
            .UsingJobData(EnvelopeKey, TaskJson.Serialize(envelope))
            .Build();

    private static TriggerBuilder<IJob> Trigger(TaskEnvelope envelope, string name, DateTimeOffset fireTime) =>
        TriggerBuilder.Create<IJob>(null!)
            .WithIdentity(name, Group)
            .ForJob(JobKey(envelope.Id))
            .StartAt(fireTime)
            .WithPriority(envelope.Priority)
            .WithExecutionGroup(ExecutionGroup(envelope.Queue))
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.IgnoreMisfires));
}
