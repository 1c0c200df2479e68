namespace PagesApp;

/// <summary>Where "sent" e-mails go: files in a local folder, never the network.</summary>
public sealed class MailOptions
{
    public string Folder { get; set; } = Path.Combine(Path.GetTempPath(), "pagesapp-mail");
}
