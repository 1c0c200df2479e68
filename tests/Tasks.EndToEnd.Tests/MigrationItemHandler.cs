namespace Tasks.EndToEnd.Tests;

/// <summary>Never runs in the migration tests (no workers); registered so the tasks are real.</summary>
public sealed class MigrationItemHandler : ITaskHandler<MigrationItem>
{
    public Task HandleAsync(MigrationItem args, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
