namespace Tasks.Migration;

/// <summary>How far a migration has got.</summary>
/// <param name="Seen">Pending tasks looked at so far.</param>
/// <param name="Moved">Tasks now in the target and gone from the source.</param>
/// <param name="Total">Pending tasks found in the source at the start (a snapshot; new ones may arrive).</param>
public sealed record TaskMigrationProgress(int Seen, int Moved, int Total);
