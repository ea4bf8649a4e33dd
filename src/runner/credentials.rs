//! Stored credentials for nodes: decrypted through the store's `resolve`, on the server's
//! runtime (a run's engine thread has its own).

use std::sync::Arc;

use tokio::runtime::Handle;
use weft_engine::run::{CredentialFuture, CredentialRef, CredentialSource};

use crate::db::Db;
use crate::store;
use crate::store::credentials::Cipher;

pub struct StoreCredentials {
    pub(super) db: Db,
    pub(super) cipher: Option<Arc<Cipher>>,
    pub(super) handle: Handle,
    /// The workflow whose owner's credentials the run may use.
    pub(super) workflow_id: uuid::Uuid,
    /// The workflow's owner, looked up once per run (shares are checked at every lookup).
    pub(super) owner: Arc<tokio::sync::OnceCell<Option<store::access::Actor>>>,
}

impl CredentialSource for StoreCredentials {
    fn get<'a>(
        &'a self,
        reference: &'a CredentialRef,
        credential_type: &'a str,
    ) -> CredentialFuture<'a> {
        Box::pin(async move {
            let cipher = self
                .cipher
                .clone()
                .ok_or("Credentials cannot be read: this server has no WEFT_ENCRYPTION_KEY")?;
            let db = self.db.clone();
            let reference = reference.clone();
            let credential_type = credential_type.to_owned();
            let workflow_id = self.workflow_id;
            let owner = self.owner.clone();
            self.handle
                .spawn(async move {
                    let owner = *owner
                        .get_or_try_init(|| store::access::workflow_owner(&db, workflow_id))
                        .await
                        .map_err(|e| format!("credentials could not be read: {e}"))?;
                    store::credentials::resolve(&db, &cipher, &reference, &credential_type, owner)
                        .await
                })
                .await
                .map_err(|e| e.to_string())?
        })
    }
}
