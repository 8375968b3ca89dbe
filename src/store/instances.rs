//! Instance operations: create, get, list, update, delete.

use super::{KvStore, Plan, check_free};
use crate::backend::Expect;
use crate::commit::Check;
use crate::commit::Pending;
use crate::error::{Error, Field, Result};
use crate::model::{Change, Instance};


/// The fields `updateInstance` may change; `None` leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstanceUpdate {
    /// A new name, unique among instances.
    pub name: Option<String>,
    /// A new description; `Some(None)` removes it.
    pub description: Option<Option<String>>,
}

impl KvStore {
    /// Creates an instance; its name must be new.
    pub fn create_instance(&self, name: &str, description: Option<&str>) -> Pending<Instance> {
        self.carry_out(self.try_create_instance(name, description), |instance, _| instance)
    }

    fn try_create_instance(&self, name: &str, description: Option<&str>) -> Result<Plan<Instance>> {
        self.limits.check(Field::InstanceName, name)?;
        if let Some(text) = description {
            self.limits.check(Field::Description, text)?;
        }
        check_free(&self.shared.index.borrow(), name, None)?;
        let instance = self.new_instance(name, description.map(str::to_string))?;
        // Another tab may create the name at the same moment: storage decides.
        Ok(Plan { changes: vec![Change::PutInstance(instance.clone())], guards: vec![Check::on(0, Expect::NameFree)], answer: instance })
    }

    /// The instance with this id, or else this name.
    ///
    /// # Errors
    ///
    /// [`Error::InstanceNotFound`] when there is none.
    pub fn get_instance(&self, instance: &str) -> Result<Instance> {
        let id = self.resolve(instance)?.ok_or_else(|| Error::InstanceNotFound(instance.to_string()))?;
        let index = self.shared.index.borrow();
        index.instance(&id).cloned().ok_or_else(|| Error::InstanceNotFound(instance.to_string()))
    }

    /// Every instance, oldest first.
    pub fn list_instances(&self) -> Vec<Instance> {
        self.shared.index.borrow().instances().into_iter().cloned().collect()
    }

    /// Renames an instance and/or changes its description.
    pub fn update_instance(&self, instance: &str, update: InstanceUpdate) -> Pending<Instance> {
        self.carry_out(self.try_update_instance(instance, update), |instance, _| instance)
    }

    fn try_update_instance(&self, instance: &str, update: InstanceUpdate) -> Result<Plan<Instance>> {
        self.limits.check(Field::InstanceName, instance)?;
        if update.name.is_none() && update.description.is_none() {
            return Err(Error::NothingToUpdate);
        }
        if let Some(name) = &update.name {
            self.limits.check(Field::InstanceName, name)?;
        }
        if let Some(Some(text)) = &update.description {
            self.limits.check(Field::Description, text)?;
        }
        let mut changed = self.get_instance(instance)?;
        let mut guards = vec![Check::on(0, Expect::Unchanged(changed.clone()))];
        if let Some(name) = update.name {
            check_free(&self.shared.index.borrow(), &name, Some(changed.id))?;
            if name != changed.name {
                guards.push(Check::on(0, Expect::NameFree));
            }
            changed.name = name;
        }
        if let Some(description) = update.description {
            changed.description = description;
        }
        changed.updated_at = self.now().after(changed.updated_at);
        Ok(Plan { changes: vec![Change::PutInstance(changed.clone())], guards, answer: changed })
    }

    /// Deletes an instance and all its records; `false` if there was none.
    pub fn delete_instance(&self, instance: &str) -> Pending<bool> {
        match self.resolve(instance) {
            Err(e) => Pending::from(Err(e)),
            Ok(None) => Pending::from(Ok(false)),
            Ok(Some(id)) => self.write(vec![Change::DeleteInstance(id)], true),
        }
    }
}

