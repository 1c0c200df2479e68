namespace PagesApp;

/// <summary>Body of <c>POST /pages/{id}/publish</c>.</summary>
public sealed record PublishRequest(string Title, IReadOnlyList<int> Subscribers);
