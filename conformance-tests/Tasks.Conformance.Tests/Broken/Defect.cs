namespace Tasks.Conformance.Tests.Broken;

/// <summary>Deliberate defects; each must make the conformance test that names it fail.</summary>
public enum Defect
{
    IgnoresPriority,
    RunsDelayedTasksAtOnce,
    DropsFailedTasks,
    RunsSomeTasksTwice,
    LosesFinishedResults,
    LeaksTasksAcrossQueues,
    PretendsToCancel,
    LosesSomeTasks,
}
