namespace QuickStart;

/// <summary>The task's arguments: stored as JSON, so keep them small and serializable.</summary>
public sealed record PagePublished(int PageId, int UserId, string Title);
