namespace Tasks;

/// <summary>
/// Durable task results for one backend. The execution pipeline moves a result between statuses with
/// compare-and-set writes on <see cref="TaskResult.Version"/>, so a cancel and a start can never both win.
/// </summary>
public interface ITaskResultStore
{
    /// <summary>Writes new <see cref="TaskResultStatus.Ready"/> results (one round trip where possible).</summary>
    Task CreateAsync(IReadOnlyList<TaskResult> results, CancellationToken cancellationToken = default);

    /// <summary>The result with <paramref name="id"/>, or <see langword="null"/>.</summary>
    Task<TaskResult?> FindAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the stored result only if its <see cref="TaskResult.Version"/> is still <paramref name="expectedVersion"/>
    /// (the caller sets <paramref name="result"/>'s version to the next one); returns whether it did.
    /// </summary>
    Task<bool> TryUpdateAsync(TaskResult result, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Removes results (used when an enqueue could not be delivered, so no phantom Ready task remains).</summary>
    Task DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default);
}
