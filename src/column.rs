//! `Column<T>`: a slice of plain numbers that either owns its memory (built by the analysis)
//! or borrows it from a memory-mapped index file (a cached reopen). Everything reads columns as
//! `&[T]`, so the analysis and the views never know which; a mapped column is copied into its
//! own memory only if something writes to it.

use std::sync::Arc;

use bytemuck::Pod;
use memmap2::Mmap;

pub struct Column<T: Pod> {
    ptr: *const T,
    len: usize,
    owner: Owner<T>,
}

enum Owner<T> {
    Vec(Vec<T>),
    // Held only to keep the mapping alive while `ptr` points into it.
    Map(#[allow(dead_code)] Arc<Mmap>),
}

// SAFETY: a column is an immutable view of plain numbers (or a Vec it owns exclusively); the
// pointer is never shared mutably across threads except through `&mut self`.
unsafe impl<T: Pod + Send> Send for Column<T> {}
unsafe impl<T: Pod + Sync> Sync for Column<T> {}

impl<T: Pod> Column<T> {
    /// `len` values of `T` at `offset` bytes into `map`, or `None` when they are out of bounds
    /// or misaligned.
    pub fn mapped(map: &Arc<Mmap>, offset: usize, len: usize) -> Option<Column<T>> {
        let bytes = len.checked_mul(std::mem::size_of::<T>())?;
        let end = offset.checked_add(bytes)?;
        let slice = map.get(offset..end)?;
        let values: &[T] = bytemuck::try_cast_slice(slice).ok()?;
        Some(Column {
            ptr: values.as_ptr(),
            len,
            owner: Owner::Map(map.clone()),
        })
    }

    pub fn is_mapped(&self) -> bool {
        matches!(self.owner, Owner::Map(_))
    }

    /// Bytes this column holds in its own memory (a mapped column holds none).
    pub(crate) fn heap_bytes(&self) -> usize {
        match &self.owner {
            Owner::Vec(v) => v.capacity() * std::mem::size_of::<T>(),
            Owner::Map(_) => 0,
        }
    }

    #[inline]
    fn make_owned(&mut self) -> &mut Vec<T> {
        if let Owner::Map(_) = self.owner {
            self.copy_mapped();
        }
        match &mut self.owner {
            Owner::Vec(v) => v,
            Owner::Map(_) => unreachable!("made owned above"),
        }
    }

    #[cold]
    fn copy_mapped(&mut self) {
        *self = Column::from((**self).to_vec());
    }
}

impl<T: Pod> From<Vec<T>> for Column<T> {
    fn from(v: Vec<T>) -> Self {
        Column {
            ptr: v.as_ptr(),
            len: v.len(),
            owner: Owner::Vec(v),
        }
    }
}

impl<T: Pod> Default for Column<T> {
    fn default() -> Self {
        Column::from(Vec::new())
    }
}

impl<T: Pod> Clone for Column<T> {
    fn clone(&self) -> Self {
        match &self.owner {
            Owner::Vec(v) => Column::from(v.clone()),
            Owner::Map(m) => Column {
                ptr: self.ptr,
                len: self.len,
                owner: Owner::Map(m.clone()),
            },
        }
    }
}

impl<T: Pod> std::ops::Deref for Column<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        // SAFETY: `ptr` and `len` describe the owner's values (a Vec that is never resized
        // while held here, or a checked, aligned range of a mapping kept alive by `owner`).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl<T: Pod> std::ops::DerefMut for Column<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        self.make_owned().as_mut_slice()
    }
}

impl<'a, T: Pod> IntoIterator for &'a Column<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Pod + std::fmt::Debug> std::fmt::Debug for Column<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// `n` zeros whose pages are already written. `vec![0; n]` gets fresh pages that the kernel
/// maps to its shared zero page on the first read; the first write then replaces that mapping,
/// which costs a second fault and a TLB flush on every other core running a thread of ours.
/// Arrays updated in place (`c[i] += 1`, `flags |= bit`) read before they write, so they are
/// touched here by writes first: one fault per page, no flush.
pub(crate) fn written_zeros<T: Pod>(n: usize) -> Vec<T> {
    let mut v = vec![T::zeroed(); n];
    let step = (4096 / std::mem::size_of::<T>().max(1)).max(1);
    let p = v.as_mut_ptr();
    for i in (0..n).step_by(step) {
        // SAFETY: in bounds; volatile so that writing a zero over a zero is not optimised away.
        unsafe { std::ptr::write_volatile(p.add(i), T::zeroed()) };
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_columns_read_and_write_like_vectors() {
        let mut c = Column::from(vec![1u32, 2, 3]);
        c[1] = 7;
        assert_eq!(&*c, &[1, 7, 3]);
        assert!(!c.is_mapped());
        assert_eq!(c.clone().to_vec(), vec![1, 7, 3]);
    }

    #[test]
    fn mapped_columns_check_bounds_and_alignment_and_copy_on_write() {
        let mut file = tempfile::tempfile().unwrap();
        use std::io::Write;
        let words: Vec<u8> = [5u32, 6, 7, 8].iter().flat_map(|w| w.to_le_bytes()).collect();
        file.write_all(&words).unwrap();
        let map = Arc::new(unsafe { Mmap::map(&file).unwrap() });
        let mut c = Column::<u32>::mapped(&map, 4, 3).unwrap();
        assert!(c.is_mapped());
        assert_eq!(&*c, &[6, 7, 8]);
        assert!(Column::<u32>::mapped(&map, 4, 4).is_none(), "past the end");
        assert!(Column::<u32>::mapped(&map, 2, 1).is_none(), "misaligned");
        c[0] = 9;
        assert!(!c.is_mapped());
        assert_eq!(&*c, &[9, 7, 8]);
        assert_eq!(
            &*Column::<u32>::mapped(&map, 4, 1).unwrap(),
            &[6],
            "the file is unchanged"
        );
    }

    #[test]
    fn written_zeros_are_zeros_of_the_asked_length() {
        for n in [0, 1, 4095, 4096, 4097, 100_000] {
            let a: Vec<u8> = super::written_zeros(n);
            let b: Vec<u64> = super::written_zeros(n);
            assert_eq!(a.len(), n);
            assert_eq!(b.len(), n);
            assert!(a.iter().all(|&x| x == 0) && b.iter().all(|&x| x == 0));
        }
    }
}
